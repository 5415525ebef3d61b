package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Only members move the VIP: a 3-node cluster on mutual TLS (the default), and a fourth JVM with
 * the same cluster settings that tries to join, first over plain TCP (no certificate), then with a
 * certificate from another CA. Neither joins; membership and the VIP's holder do not change, and
 * the cluster side logs the refused connection.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTlsTest {

  private static final String INTRUDER = LabAddresses.nodeIp(4);
  private static FailoverLab lab;
  private static VipkeeperNodes nodes;
  private static int holder;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    lab = FailoverLab.up(Lab.prefix("vkt"), 4, l -> {
      nodes = new VipkeeperNodes(l, 4, FailoverLab.logDir("tls"), "vipkeeper", Map.of(), List.of());
      return nodes;
    });
    lab.startFirst(3);
    holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    assertTrue(holder > 0, lab.report());
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  @Test
  @Order(1)
  void aNodeWithoutACertificateCannotJoin() throws Exception {
    refused(Map.of("VIPKEEPER_INSECURE", "on", "VIPKEEPER_TLS_DIR", ""), "plain TCP");
  }

  @Test
  @Order(2)
  void aNodeWithACertificateFromAnotherCaCannotJoin() throws Exception {
    assertTrue(nodes.log(4).contains("INSECURE: cluster traffic is plain tcp"), "the insecure start warned:\n" + nodes.log(4));
    refused(LabCerts.env(LabCerts.rogue()), "another CA");
  }

  private void refused(Map<String, String> env, String what) throws Exception {
    int before = clusterLines().size();
    int[] members = upMembers();
    nodes.start(4, env);
    try {
      refusedWhileRunning(what, before, members);
    } finally {
      nodes.crash(4); // also when refused, so the next case starts its own intruder
    }
  }

  private void refusedWhileRunning(String what, int before, int[] members) throws Exception {
    Thread.sleep(12_000); // several join attempts (a joining node retries every second)
    String intruderLog = nodes.log(4);
    assertFalse(intruderLog.contains("Welcome from"), "n4 (" + what + ") was welcomed:\n" + intruderLog);
    for (int i = 1; i <= 3; i++) {
      assertFalse(nodes.log(i).contains(INTRUDER + ":25520] is JOINING"), "n" + i + " let n4 (" + what + ") join:\n" + nodes.log(i));
    }
    assertEquals(List.of(holder), lab.holders(), "the VIP's holder is unchanged");
    assertArrayEquals(members, upMembers(), "no node moved to Up meanwhile");
    List<String> refusals = clusterLines().subList(before, clusterLines().size());
    System.out.println("n4 with " + what + ": the cluster logged\n  " + String.join("\n  ", refusals));
    assertFalse(refusals.isEmpty(), "the cluster side logged the refused connection from n4 (" + what + ")");
  }

  /** How many "to [Up]" moves each of n1..n3 logged: the membership's history, as the leaders saw it. */
  private static int[] upMembers() {
    int[] ups = new int[3];
    for (int i = 1; i <= 3; i++) ups[i - 1] = nodes.log(i).split("to \\[Up\\]", -1).length - 1;
    return ups;
  }

  /**
   * Lines of n1..n3 about a refused peer: a certificate refused (REFUSED TLS peer), or an incoming
   * connection whose TLS handshake failed otherwise (a peer that speaks plain TCP, or that refused
   * this node's certificate).
   */
  private static List<String> clusterLines() {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      for (String line : nodes.log(i).split("\n")) {
        // Not Artery's own handshake timeouts: those name n4 20 s after any contact attempt, whatever n4 sent.
        if (line.contains("REFUSED TLS peer") || line.contains("REFUSED an incoming connection")) lines.add("n" + i + ": " + line);
      }
    }
    return lines;
  }
}
