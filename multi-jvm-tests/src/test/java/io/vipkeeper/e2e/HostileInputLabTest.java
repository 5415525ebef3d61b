package io.vipkeeper.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipkeeper.lab.FailoverLab;
import io.vipkeeper.lab.Lab;
import io.vipkeeper.lab.LabAddresses;
import io.vipkeeper.lab.NodeProcess;
import io.vipkeeper.lab.VipkeeperNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile and careless input against real nodes in namespaces (one 3-node cluster; the API on the
 * node addresses, behind a token): each class of the probe that once crashed or misled a node. After
 * every case: every node alive, every node's own address intact on its interface, the kernels agree
 * with the API (each group's addresses on its holder only), no group with two owners.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputLabTest {

  private static final String TOKEN = "lab-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private FailoverLab lab;

  @BeforeAll
  void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    lab = FailoverLab.up(Lab.prefix("vkh"), 3, l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("hostile"), "vipkeeper",
        Map.of("VIPKEEPER_HTTP_TOKEN", TOKEN), List.of()));
    lab.startAll();
    assertTrue(FailoverLab.await(Duration.ofSeconds(90), () -> lab.nodes().formed()), lab.report());
    assertTrue(lab.awaitSingleHolder(Duration.ofSeconds(60)) > 0, lab.report());
  }

  @AfterAll
  void down() {
    if (lab != null) lab.close();
  }

  /** What every case must leave behind. */
  @AfterEach
  void everythingStillStands() throws Exception {
    for (int i = 1; i <= 3; i++) {
      assertTrue(lab.nodes().running(i), "n" + i + " is alive:\n" + lab.nodes().log(i));
      assertEquals(200, status(call(i, "GET", "/alive", null, "")), "n" + i + " answers");
      assertTrue(eth0(i).contains(" " + LabAddresses.nodeIp(i) + "/24"), "n" + i + "'s own address is intact: " + eth0(i));
    }
    assertTrue(FailoverLab.await(Duration.ofSeconds(20), this::kernelsMatchTheApi), "the kernels match the API:\n" + vips() + "\n"
        + eth0(1) + "\n" + eth0(2) + "\n" + eth0(3));
  }

  @Test
  @Order(1)
  void bodiesFromStrangersAreNeverReadAndBigOnesAre413() throws Exception {
    byte[] huge = ("{\"name\":\"x\",\"addresses\":[\"" + "9".repeat(7 << 20) + "\"]}").getBytes(StandardCharsets.UTF_8);
    List<String> answers = parallel(24, k -> lab.lab().request("c1", LabAddresses.nodeIp(1), 8558, "POST /vips",
        "Content-Type: application/json\r\n", huge));
    for (String a : answers) assertTrue(a.isEmpty() || status(a) == 401, "a stranger's 7 MB body: 401 (or closed): " + head(a));
    assertTrue(answers.stream().anyMatch(a -> status(a) == 401), "at least one 401 seen: " + answers.stream().map(this::head).toList());
    String big = lab.lab().request("c1", LabAddresses.nodeIp(1), 8558, "POST /vips",
        "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n", new byte[100 * 1024]);
    assertEquals(413, status(big), big);
    assertJsonError(big);
  }

  @Test
  @Order(2)
  void malformedAndDeepGroupsAre400AndNothingIsStored() throws Exception {
    String deep = "{\"name\":\"deep\",\"addresses\":" + "[".repeat(999) + "]".repeat(999) + "}";
    for (String body : List.of(deep, "{\"name\":\"x\",\"addresses\":[\"198.18.0.60/24\"],\"include\":\"file(/etc/shadow)\"}",
        "{\"name\":\"x\",\"addresses\":[\"${HOME}/24\"]}", "{\"name\":\"../x\",\"addresses\":[\"198.18.0.60/24\"]}",
        "{\"name\":\"x\",\"addresses\":" + repeated("\"198.18.0.61/24\"", 2000) + "}")) {
      String answer = call(1, "POST", "/vips", body, TOKEN);
      assertEquals(400, status(answer), head(body) + " -> " + answer);
      assertJsonError(answer);
    }
    assertFalse(vips().contains("\"deep\"") || vips().contains("\"x\""), "nothing stored: " + vips());
  }

  @Test
  @Order(3)
  void addressesThatAreNotVipsAreRefused() throws Exception {
    for (String address : List.of("0.0.0.0/1", "198.18.0.60/1", "127.0.0.2/8", "224.0.0.18/24", "198.18.0.255/24", "198.18.0.0/24",
        "169.254.7.7/16", "::1/128", "ff02::1/64", "fe80::7/64")) {
      String answer = call(2, "POST", "/vips", "{\"name\":\"bad\",\"addresses\":[\"" + address + "\"]}", TOKEN);
      assertEquals(400, status(answer), address + " -> " + answer);
      assertJsonError(answer);
    }
    for (int i = 1; i <= 3; i++) {
      String own = call(1, "POST", "/vips", "{\"name\":\"own" + i + "\",\"addresses\":[\"" + LabAddresses.nodeIp(i) + "/24\"]}", TOKEN);
      assertEquals(409, status(own), "n" + i + "'s own address: " + own);
      assertTrue(body(own).contains("cluster address"), own);
    }
  }

  @Test
  @Order(4)
  void twentyParallelAddsOfOneAddressMakeOneGroup() throws Exception {
    List<String> answers = parallel(20, k -> call(1 + k % 3, "POST", "/vips",
        "{\"name\":\"race" + k + "\",\"addresses\":[\"198.18.0.70/24\"]}", TOKEN));
    long created = answers.stream().filter(a -> status(a) == 201).count();
    List<String> seen = answers.stream().map(a -> status(a) + " " + body(a)).toList();
    assertEquals(1, created, "one of 20 adds wins: " + seen);
    assertTrue(answers.stream().allMatch(a -> status(a) == 201 || status(a) == 409), seen.toString());
    assertTrue(FailoverLab.await(Duration.ofSeconds(30), () -> LabVips.holders(lab, 3, "198.18.0.70").size() == 1), vips());
    String winner = JSON.readTree(body(vips())).findValuesAsText("group").stream().filter(g -> g.startsWith("race")).findFirst().orElseThrow();
    assertEquals(200, status(call(2, "DELETE", "/vips/" + winner, null, TOKEN)));
  }

  @Test
  @Order(5)
  void releasingOneGroupKeepsTheOthersInItsSubnet() throws Exception {
    // A /28 of their own: no node address is in it, so the first one added is the kernel's primary
    // there and the others its secondaries, the case where one removal used to take them all.
    for (String g : List.of("sub1", "sub2", "sub3")) {
      String ip = "198.18.0.8" + g.charAt(3);
      String added = call(1, "POST", "/vips", "{\"name\":\"" + g + "\",\"addresses\":[\"" + ip + "/28\"],\"placement\":{\"prefer\":[\"n2\"]}}", TOKEN);
      assertEquals(201, status(added), added);
      assertTrue(FailoverLab.await(Duration.ofSeconds(30), () -> LabVips.holders(lab, 3, ip).equals(List.of(2))), vips() + "\n" + eth0(2));
    }
    assertTrue(eth0(2).contains("198.18.0.82/28") && eth0(2).contains("secondary"), "secondaries in the /28: " + eth0(2));
    assertEquals(200, status(call(1, "DELETE", "/vips/sub1", null, TOKEN)));
    assertTrue(FailoverLab.await(Duration.ofSeconds(10), () -> LabVips.holders(lab, 3, "198.18.0.81").isEmpty()), eth0(2));
    assertEquals(List.of(2), LabVips.holders(lab, 3, "198.18.0.82"), "the other groups stay: " + eth0(2));
    assertEquals(List.of(2), LabVips.holders(lab, 3, "198.18.0.83"), "the other groups stay: " + eth0(2));
    for (String g : List.of("sub2", "sub3")) assertEquals(200, status(call(1, "DELETE", "/vips/" + g, null, TOKEN)));
  }

  @Test
  @Order(6)
  void browsersAndNonJsonBodiesAreRefused() throws Exception {
    String group = "{\"name\":\"csrf\",\"addresses\":[\"198.18.0.90/24\"]}";
    String plain = lab.lab().request("c1", LabAddresses.nodeIp(1), 8558, "POST /vips",
        "Authorization: Bearer " + TOKEN + "\r\nContent-Type: text/plain\r\n", group.getBytes(StandardCharsets.UTF_8));
    assertEquals(415, status(plain), plain);
    String page = lab.lab().request("c1", LabAddresses.nodeIp(1), 8558, "POST /vips",
        "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\nOrigin: http://evil.example\r\n",
        group.getBytes(StandardCharsets.UTF_8));
    assertEquals(403, status(page), page);
    assertFalse(vips().contains("\"csrf\""), vips());
  }

  @Test
  @Order(7)
  void theCliPutsNamesIntoUrlsOnlyAsNames() throws Exception {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.lab().ns("c1"),
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", NodeProcess.nodeJar().toString(),
        "io.vipkeeper.node.Cli", "move", "../nodes/n1/drain?", "n1"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(Map.of("VIPKEEPER_URL", "http://" + LabAddresses.nodeIp(1) + ":8558", "VIPKEEPER_HTTP_TOKEN", TOKEN));
    Process p = builder.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("not a group or node name"), out);
    assertFalse(vips().contains("\"drained\":true"), "n1 was not drained: " + vips());
  }

  @Test
  @Order(8)
  void aFloodOfReadsDuringAFailoverMovesNothingElse() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(30));
    List<Integer> others = List.of(1, 2, 3).stream().filter(i -> i != holder).toList();
    List<Integer> logged = others.stream().map(i -> lab.nodes().log(i).length()).toList();
    long claimsBefore = vipClaims();
    AtomicBoolean leaked = new AtomicBoolean();
    List<String> statuses = Collections.synchronizedList(new ArrayList<>());
    long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
    ExecutorService flood = Executors.newFixedThreadPool(1);
    Future<List<String>> reads = flood.submit(() -> parallel(200, k -> {
      while (System.nanoTime() < until) {
        String a = call(others.get(k % 2), "GET", "/vips", null, "");
        statuses.add(String.valueOf(status(a)));
        if (a.contains("pekko://") || a.contains("Exception")) leaked.set(true);
      }
      return "";
    }));
    Thread.sleep(3000);
    io.vipkeeper.lab.Takeover takeover = lab.kill(holder, Duration.ofSeconds(20));
    reads.get(60, TimeUnit.SECONDS);
    flood.shutdown();
    System.out.printf("read flood during a kill -9 of the holder: %d replies, %d x 200, %d x 503 busy; takeover %s%n", statuses.size(),
        statuses.stream().filter("200"::equals).count(), statuses.stream().filter("503"::equals).count(), takeover);
    assertFalse(leaked.get(), "no reply showed internals");
    assertTrue(statuses.stream().allMatch(s -> s.equals("200") || s.equals("503") || s.equals("-1")), "200 or 503 (busy) only: "
        + statuses.stream().distinct().toList());
    int now = lab.awaitSingleHolder(Duration.ofSeconds(20));
    assertTrue(others.contains(now), "a survivor holds the VIP:\n" + lab.report());
    assertEquals(claimsBefore + 1, vipClaims(), "one takeover of the lab's group, no other move:\n" + lab.report());
    for (int k = 0; k < 2; k++) {
      String since = lab.nodes().log(others.get(k)).substring(logged.get(k));
      assertFalse(since.contains("LEASE LOST"), "n" + others.get(k) + " kept its leases through the flood:\n" + since);
    }
    lab.rejoin(holder);
    assertTrue(FailoverLab.await(Duration.ofSeconds(90), () -> lab.nodes().formed()), lab.report());
  }

  /** CLAIMED lines of the lab's group "vip" in every node's log. */
  private long vipClaims() {
    long n = 0;
    for (int i = 1; i <= 3; i++) n += lab.nodes().log(i).lines().filter(l -> l.contains("CLAIMED group=vip ")).count();
    return n;
  }

  private boolean kernelsMatchTheApi() {
    try {
      JsonNode groups = JSON.readTree(body(vips()));
      for (JsonNode g : groups) {
        JsonNode holder = g.get("holder");
        if (holder != null && holder.isArray()) return false; // two owners
        for (JsonNode cidr : g.get("addresses")) {
          String ip = cidr.asText().substring(0, cidr.asText().indexOf('/'));
          List<Integer> kernels = LabVips.holders(lab, 3, ip);
          List<Integer> api = holder == null || holder.isNull() ? List.of() : List.of(Integer.parseInt(holder.asText().substring(1)));
          if (!kernels.equals(api)) return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private List<String> parallel(int n, java.util.function.IntFunction<String> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        int id = k;
        futures.add(pool.submit(() -> task.apply(id)));
      }
      List<String> out = new ArrayList<>();
      for (Future<String> f : futures) out.add(f.get(120, TimeUnit.SECONDS));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private String vips() {
    return call(1, "GET", "/vips", null, "");
  }

  private String eth0(int node) {
    return lab.lab().exec("n" + node, "ip", "-o", "addr", "show", "dev", "eth0");
  }

  private String call(int node, String method, String path, String body, String token) {
    return lab.lab().http("c1", LabAddresses.nodeIp(node), 8558, method, path, body, token);
  }

  private static void assertJsonError(String response) throws Exception {
    assertTrue(response.contains("Content-Type: application/json") || response.contains("content-type: application/json"), response);
    JsonNode error = JSON.readTree(body(response));
    assertTrue(error.has("error") && error.get("status").asInt() == status(response), response);
  }

  private static String repeated(String item, int times) {
    return "[" + String.join(",", Collections.nCopies(times, item)) + "]";
  }

  private String head(String s) {
    return s.length() > 80 ? s.substring(0, 80) : s;
  }

  private static int status(String response) {
    return response.length() < 12 ? -1 : Integer.parseInt(response.substring(9, 12));
  }

  private static String body(String response) {
    int at = response.indexOf("\r\n\r\n");
    return at < 0 ? response : response.substring(at + 4);
  }
}
