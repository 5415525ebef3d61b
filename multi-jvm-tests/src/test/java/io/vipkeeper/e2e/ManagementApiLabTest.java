package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import java.util.ArrayList;

/**
 * Operating a 3-node cluster through its HTTP API only: the nodes start with no VIP in their
 * config; group "vip" (the lab's VIP, which the client probes) is added through n1's API while
 * n3 is down, then moved, drained away, scraped during a failover, and kept across a restart of
 * every node. The API listens on the node addresses, so the changing calls need the token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagementApiLabTest {

  private static final String TOKEN = "lab-token";
  private static final String GROUP = "{\"name\":\"vip\",\"addresses\":[\"" + LabAddresses.VIP + "/24\"]}";
  private static FailoverLab lab;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    lab = FailoverLab.up(Lab.prefix("vkpm"), 3,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("management"), "vipkeeper",
            Map.of("VIPKEEPER_VIPS", "", "VIPKEEPER_HTTP_TOKEN", TOKEN), List.of()));
    lab.startFirst(2);
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  private static String call(int node, String method, String path, String body, String token) {
    return lab.lab().http("c1", LabAddresses.nodeIp(node), 8558, method, path, body, token);
  }

  private static int status(String response) {
    return response.length() < 12 ? -1 : Integer.parseInt(response.substring(9, 12));
  }

  private static String body(String response) {
    int at = response.indexOf("\r\n\r\n");
    return at < 0 ? response : response.substring(at + 4);
  }

  private static List<Integer> kernelHolders() {
    return LabVips.holders(lab, 3, LabAddresses.VIP);
  }

  @Test
  @Order(1)
  void aGroupAddedThroughTheApiIsClaimedAndAnswers() throws Exception {
    assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> status(call(1, "GET", "/ready", null, "")) == 200),
        "n1 ready:\n" + lab.report());
    String health = call(1, "GET", "/health/ready", null, "");
    assertEquals(200, status(health), "pekko-management readiness: " + health);
    String members = call(1, "GET", "/cluster/members", null, "");
    assertEquals(200, status(members), members);
    assertTrue(body(members).contains("198.18.0.12"), "pekko-management's member list: " + members);
    String down = call(1, "DELETE", "/cluster/members/pekko://vipkeeper@198.18.0.12:25520", null, TOKEN);
    assertTrue(status(down) >= 400, "pekko-management's routes are read-only here: " + down);
    assertEquals(401, status(call(1, "POST", "/vips", GROUP, "")), "no token, no change");
    String bad = call(1, "POST", "/vips", "{\"name\":\"bad\",\"addresses\":[\"198.18.0.500/24\"]}", TOKEN);
    assertEquals(400, status(bad), bad);
    assertTrue(body(bad).contains("198.18.0.500"), "the error names the bad address: " + bad);
    String added = call(1, "POST", "/vips", GROUP, TOKEN);
    System.out.println("POST /vips -> " + added.lines().findFirst().orElse("") + " " + body(added));
    assertEquals(201, status(added), added);
    assertEquals(409, status(call(2, "POST", "/vips", GROUP, TOKEN)), "added once, cluster-wide");
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(30));
    assertTrue(holder == 1 || holder == 2, "held and answering on a running node:\n" + lab.report());
    String vips = body(call(2, "GET", "/vips", null, ""));
    System.out.println("GET /vips -> " + vips);
    assertTrue(vips.contains("\"group\":\"vip\"") && vips.contains("\"holder\":\"n" + holder + "\"")
        && vips.contains("\"source\":\"api\""), vips);
  }

  @Test
  @Order(2)
  void aNodeThatWasDownDuringTheAddLearnsTheGroup() throws Exception {
    assertTrue(lab.restart(3, Duration.ofSeconds(30)), lab.report());
    assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().formed()
        && body(call(3, "GET", "/vips", null, "")).contains("\"group\":\"vip\"")), "n3 lists vip:\n" + lab.report());
  }

  @Test
  @Order(3)
  void moveToANamedNodeUsesTheGracefulPath() throws Exception {
    assertEquals(404, status(call(1, "POST", "/vips/nope/move", "{\"node\":\"n3\"}", TOKEN)));
    long ordered = System.nanoTime();
    String moved = call(1, "POST", "/vips/vip/move", "{\"node\":\"n3\"}", TOKEN);
    System.out.println("POST /vips/vip/move -> " + moved.lines().findFirst().orElse("") + " " + body(moved));
    assertEquals(200, status(moved), moved);
    assertEquals(List.of(3), kernelHolders(), lab.report());
    assertTrue(FailoverLab.await(Duration.ofSeconds(10), () -> firstAnswerFrom("n3", ordered).isPresent()), lab.report());
    long gap = gapBefore("n3", ordered);
    System.out.println("move to n3: client gap " + gap + " ms");
    assertTrue(gap < 2000, "a planned move is graceful (bench: 270-600 ms gaps): " + gap + " ms\n" + lab.report());
    assertEquals(0.0, lab.maxOverlapMillis(), "two holders during the move:\n" + lab.report());
    String table = cli("status");
    System.out.println("bin/vipkeeper status ->\n" + table);
    assertTrue(table.startsWith("GROUP") && table.lines().anyMatch(l -> l.startsWith("vip ") && l.contains(" n3 ")), table);
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> cli("move", "nope", "n1"));
    assertTrue(refused.getMessage().contains("vipkeeper: 404: no group nope"), refused.getMessage());
  }

  /** The CLI as an operator runs it, from the client's namespace (a non-zero exit throws with its output). */
  private static String cli(String... args) {
    return cli(Map.of("VIPKEEPER_URL", "http://" + LabAddresses.nodeIp(1) + ":8558"), args);
  }

  private static String cli(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of("env", "VIPKEEPER_HTTP_TOKEN=" + TOKEN));
    env.forEach((k, v) -> command.add(k + "=" + v));
    command.addAll(List.of("java", "-Xmx64m", "-cp",
        NodeProcess.nodeJar().toString(), "io.vipkeeper.node.Cli"));
    command.addAll(List.of(args));
    return lab.lab().exec("c1", command.toArray(String[]::new));
  }

  @Test
  @Order(4)
  void drainingANodeMovesItsGroupAwayAndRefusesMovesToIt() throws Exception {
    String drained = call(2, "POST", "/nodes/n3/drain", null, TOKEN);
    System.out.println("POST /nodes/n3/drain -> " + drained.lines().findFirst().orElse("") + " " + body(drained));
    assertEquals(200, status(drained), drained);
    assertFalse(kernelHolders().contains(3), "n3 gave the group up:\n" + lab.report());
    assertEquals(1, kernelHolders().size(), lab.report());
    String refused = call(1, "POST", "/vips/vip/move", "{\"node\":\"n3\"}", TOKEN);
    assertEquals(409, status(refused), refused);
    assertTrue(body(refused).contains("drained"), refused);
    assertEquals(200, status(call(1, "POST", "/nodes/n3/undrain", null, TOKEN)));
  }

  @Test
  @Order(5)
  void metricsScrapedDuringAFailoverCountTheTakeoverWithItsDuration() throws Exception {
    assertEquals(200, status(call(1, "POST", "/vips/vip/move", "{\"node\":\"n2\"}", TOKEN)), lab.report());
    int decider = lab.singletonNode();
    assertEquals(1, decider, "n1 is the oldest and decides");
    Takeover t = lab.crash(2, Duration.ofSeconds(30));
    assertTrue(t.tookOver(), lab.report());
    Pattern counted = Pattern.compile("vipkeeper_takeovers_total\\{group=\"vip\",path=\"lease\"\\} (\\d+)");
    String[] scrape = {""};
    assertTrue(FailoverLab.await(Duration.ofSeconds(10), () -> counted.matcher(scrape[0] = body(call(1, "GET", "/metrics", null, "")))
        .find()), "takeover counted on the decider's node:\n" + scrape[0]);
    Matcher last = Pattern.compile("vipkeeper_takeover_last_seconds\\{group=\"vip\"\\} ([0-9.E-]+)").matcher(scrape[0]);
    assertTrue(last.find(), scrape[0]);
    double seconds = Double.parseDouble(last.group(1));
    System.out.println("metrics after the crash: takeover " + seconds + " s; client saw " + t);
    scrape[0].lines().filter(l -> l.startsWith("vipkeeper_takeover") || l.startsWith("vipkeeper_cluster")
        || l.startsWith("vipkeeper_announce") || l.startsWith("vipkeeper_epoch")).forEach(l -> System.out.println("  " + l));
    assertTrue(seconds > 0 && seconds < 10, "duration " + seconds);
    assertTrue(scrape[0].contains("vipkeeper_cluster_members{status=\"Up\"}"), scrape[0]);
    assertTrue(lab.restart(2, Duration.ofSeconds(30)), lab.report());
    assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().formed()), lab.report());
  }

  @Test
  @Order(6)
  void theAddedGroupSurvivesARestartOfEveryNodeAndCanBeRemoved() throws Exception {
    for (int i = 1; i <= 3; i++) lab.nodes().stop(i);
    assertTrue(kernelHolders().isEmpty(), "stopped nodes hold nothing:\n" + lab.report());
    ((VipkeeperNodes) lab.nodes()).start(1, Map.of("JAVA_TOOL_OPTIONS", String.join(" ",
        "-Dcom.sun.management.jmxremote.port=9010", "-Dcom.sun.management.jmxremote.rmi.port=9010",
        "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
        "-Djava.rmi.server.hostname=" + LabAddresses.nodeIp(1))));
    ((VipkeeperNodes) lab.nodes()).start(2, Map.of("VIPKEEPER_HTTPS", "on"));
    lab.nodes().start(3);
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(90));
    assertTrue(holder > 0, "claimed again after the restart:\n" + lab.report());
    int target = holder == 3 ? 2 : 3;
    String moved = jmx(server -> (String) server.invoke(new javax.management.ObjectName("io.vipkeeper:type=VipKeeper,node=\"n1\""),
        "move", new Object[] {"vip", "n" + target}, new String[] {"java.lang.String", "java.lang.String"}));
    System.out.println("JMX move(vip, n" + target + ") -> " + moved);
    assertTrue(moved.contains("moved=true"), moved);
    assertEquals(List.of(target), kernelHolders(), lab.report());
    String overTls = cli(Map.of("VIPKEEPER_URL", "https://" + LabAddresses.nodeIp(2) + ":8558",
        "VIPKEEPER_TLS_DIR", LabCerts.cluster().toAbsolutePath().toString()), "status");
    assertTrue(overTls.lines().anyMatch(l -> l.startsWith("vip ")), "the CLI over HTTPS, trusting the cluster CA: " + overTls);
    String history = body(call(3, "GET", "/vips/vip/history", null, ""));
    assertTrue(history.contains("\"event\":\"claimed\""), history);
    String removed = call(3, "DELETE", "/vips/vip", null, TOKEN);
    assertEquals(200, status(removed), removed);
    assertTrue(FailoverLab.await(Duration.ofSeconds(10), () -> kernelHolders().isEmpty()), "removed everywhere:\n" + lab.report());
    assertEquals(404, status(call(1, "DELETE", "/vips/vip", null, TOKEN)));
  }

  /** Calls {@code body} with a real JMX connection to n1 (RMI on 9010), made from the client's namespace. */
  private static <T> T jmx(JmxCall<T> body) throws Exception {
    javax.management.remote.JMXServiceURL url = new javax.management.remote.JMXServiceURL(
        "service:jmx:rmi:///jndi/rmi://" + LabAddresses.nodeIp(1) + ":9010/jmxrmi");
    return lab.lab().inside("c1", () -> {
      try (javax.management.remote.JMXConnector connector = javax.management.remote.JMXConnectorFactory.connect(url)) {
        return body.call(connector.getMBeanServerConnection());
      }
    });
  }

  private interface JmxCall<T> {
    T call(javax.management.MBeanServerConnection server) throws Exception;
  }

  private static OptionalLong firstAnswerFrom(String node, long after) {
    return lab.answers().stream().filter(a -> a.nanos() > after && a.node().equals(node)).mapToLong(Probe.Answer::nanos).min();
  }

  /** Client-side silence before {@code node}'s first answer after {@code after} (ms). */
  private static long gapBefore(String node, long after) {
    long first = firstAnswerFrom(node, after).orElseThrow();
    long previous = lab.answers().stream().filter(a -> a.nanos() < first).mapToLong(Probe.Answer::nanos).max().orElse(after);
    return (first - previous) / 1_000_000;
  }
}
