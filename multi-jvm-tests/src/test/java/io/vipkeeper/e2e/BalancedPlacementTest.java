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
import org.junit.jupiter.api.Test;

/**
 * 30 balanced groups on 3 nodes end 10/10/10; when a node dies the two survivors hold 15/15; when
 * it rejoins, exactly the groups needed to even things out move back, one graceful move at a time.
 */
class BalancedPlacementTest {

  private static final int GROUPS = 30;
  private static final List<String> IPS = new ArrayList<>();
  private static FailoverLab lab;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    List<String> options = new ArrayList<>(List.of("-Dvipkeeper.placement.rebalance-interval=300ms"));
    for (int g = 0; g < GROUPS; g++) {
      String ip = "198.18.0." + (150 + g);
      IPS.add(ip);
      options.addAll(LabVips.group(String.format("g%02d", g), ip));
    }
    lab = FailoverLab.up(Lab.prefix("vkbp"), 3,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("balanced"), "vipkeeper", Map.of("VIPKEEPER_VIPS", ""), options));
    lab.startAll();
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  @Test
  void thirtyGroupsSpreadTenTenTenSurviveACrashFifteenFifteenAndRebalanceOnRejoin() throws Exception {
    assertTrue(FailoverLab.await(Duration.ofSeconds(90), () -> LabVips.counts(lab, 3, IPS).equals(Map.of(1, 10, 2, 10, 3, 10))),
        "10/10/10 after start: " + LabVips.counts(lab, 3, IPS) + "\n" + lab.report());
    int decider = lab.singletonNode();
    int victim = decider == 3 ? 2 : 3;
    int other = 6 - decider - victim;
    long crashed = System.nanoTime();
    lab.crash(victim, Duration.ofSeconds(1));
    // The dead machine's kernel still lists its 10 (its link is down and its fence closed): the
    // survivors are counted.
    assertTrue(FailoverLab.await(Duration.ofSeconds(30), () -> {
      Map<Integer, Integer> counts = LabVips.counts(lab, 3, IPS);
      return counts.get(decider) == 15 && counts.get(other) == 15;
    }), "15/15 after n" + victim + " crashed: " + LabVips.counts(lab, 3, IPS) + "\n" + lab.report());
    System.out.printf("n%d crashed: its 10 groups answered from the survivors (15/15) after %d ms%n", victim,
        (System.nanoTime() - crashed) / 1_000_000);
    int rebalancesBefore = rebalances();
    lab.restart(victim, Duration.ofSeconds(30));
    long rejoined = System.nanoTime();
    assertTrue(FailoverLab.await(Duration.ofSeconds(90), () -> LabVips.counts(lab, 3, IPS).equals(Map.of(1, 10, 2, 10, 3, 10))),
        "10/10/10 after n" + victim + " rejoined: " + LabVips.counts(lab, 3, IPS) + "\n" + lab.report());
    Thread.sleep(2000);
    assertEquals(Map.of(1, 10, 2, 10, 3, 10), LabVips.counts(lab, 3, IPS), "and it stays so");
    int moved = rebalances() - rebalancesBefore;
    System.out.printf("n%d rejoined: 10/10/10 again after %d ms with %d graceful moves%n", victim,
        (System.nanoTime() - rejoined) / 1_000_000, moved);
    assertEquals(10, moved, "only the 10 groups needed moved back");
  }

  /**
   * Graceful moves carried out, from the deciders' takeover events (a REBALANCE request whose target
   * cannot hold yet is not a move: the group stays and the board asks again later).
   */
  private static int rebalances() {
    int count = 0;
    for (int i = 1; i <= 3; i++) {
      for (NodeEvents.Event e : lab.nodes().events(i)) if (e.isTakeover("move")) count++;
    }
    return count;
  }
}
