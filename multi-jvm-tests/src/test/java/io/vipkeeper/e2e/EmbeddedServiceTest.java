package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two instances of a Pekko HTTP service that embeds vipkeeper (modules/examples), in the lab: the
 * one that holds the VIP says so over HTTP; after it stops, the other one holds it and says so.
 */
class EmbeddedServiceTest {

  @Test
  void theVipMovesBetweenTwoEmbeddingServicesAndEachKnowsWhetherItHoldsIt() throws Exception {
    assumeTrue(Lab.canRun(), "needs root and iproute2 for the namespace lab");
    Path logs = FailoverLab.logDir("embedded");
    Path jar = Path.of(System.getProperty("vipkeeper.examples.jar"));
    try (Lab lab = Lab.up(Lab.prefix("vke"), 2, 1)) {
      NodeProcess[] services = {new NodeProcess("n1", logs.resolve("service-n1.log")), new NodeProcess("n2", logs.resolve("service-n2.log"))};
      try {
        for (int i = 1; i <= 2; i++) {
          Map<String, String> env = new HashMap<>(Map.of("VIPKEEPER_NODE_HOST", LabAddresses.nodeIp(i), "VIPKEEPER_NODE_NAME", "n" + i,
              "VIPKEEPER_SEED_NODES", LabAddresses.nodeIp(1) + ":25520," + LabAddresses.nodeIp(2) + ":25520",
              "VIPKEEPER_INTERFACE", "eth0", "VIPKEEPER_VIPS", LabAddresses.VIP + "/24",
              "VIPKEEPER_DATA_DIR", logs.resolve("n" + i + "-data").toAbsolutePath().toString(),
              // nothing is claimed before both have joined, so "one holder" means a cluster of two
              "VIPKEEPER_MIN_MEMBERS", "2"));
          env.putAll(LabCerts.env(LabCerts.cluster()));
          services[i - 1].start(lab.ns("n" + i), env, List.of(), jar);
        }
        assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> holders(lab).size() == 1),
            "exactly one service says it holds the VIP: " + answers(lab) + "\n" + services[0].log() + services[1].log());
        int holder = holders(lab).get(0);
        assertTrue(lab.exec("n" + holder, "ip", "-o", "addr", "show", "dev", "eth0").contains(LabAddresses.VIP + "/24"),
            "and its kernel holds it");
        services[holder - 1].terminate(30);
        int other = 3 - holder;
        assertTrue(FailoverLab.await(Duration.ofSeconds(30), () -> holders(lab).equals(List.of(other))),
            "after n" + holder + " stopped, n" + other + " holds the VIP and says so: " + answers(lab));
        assertTrue(services[other - 1].log().contains("ownership: holding vip"), services[other - 1].log());
        assertTrue(epochHeld(services[other - 1].log()) > epochHeld(services[holder - 1].log()),
            "the new holder holds under a newer epoch:\n" + services[0].log() + services[1].log());
      } finally {
        for (NodeProcess service : services) service.kill9();
      }
    }
  }

  private static long epochHeld(String log) {
    Matcher m = Pattern.compile("ownership: holding vip \\(epoch (\\d+)").matcher(log);
    long last = -1;
    while (m.find()) last = Long.parseLong(m.group(1));
    return last;
  }

  private static List<Integer> holders(Lab lab) {
    List<Integer> holders = new ArrayList<>();
    for (int i = 1; i <= 2; i++) if (owner(lab, i).contains("\"holds\":[\"vip\"]")) holders.add(i);
    return holders;
  }

  private static String answers(Lab lab) {
    return owner(lab, 1) + " | " + owner(lab, 2);
  }

  /** The body of GET /owner of node {@code i}, from the client's namespace; "" when it does not answer. */
  private static String owner(Lab lab, int i) {
    String response = lab.httpGet("c1", LabAddresses.nodeIp(i), 8080, "/owner");
    int body = response.indexOf("\r\n\r\n");
    return body < 0 ? "" : response.substring(body + 4);
  }
}
