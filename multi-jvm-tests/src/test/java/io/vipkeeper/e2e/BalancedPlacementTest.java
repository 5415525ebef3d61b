package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100 balanced groups on 3 nodes end 33/33/34. When a node dies, every one of its groups is held
 * again by a survivor, the survivors split them evenly, and no group the survivors held moved
 * (a mass takeover must not starve the other groups' renewals into false moves). When it
 * rejoins, exactly the groups needed to even things out move back, one graceful move at a time.
 */
class BalancedPlacementTest {

  private static final int GROUPS = 100;
  private static final List<String> IPS = new ArrayList<>();
  private static FailoverLab lab;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    List<String> options = new ArrayList<>(List.of("-Dvipkeeper.placement.rebalance-interval=300ms"));
    for (int g = 0; g < GROUPS; g++) {
      String ip = "198.18.0." + (120 + g);
      IPS.add(ip);
      options.addAll(LabVips.group(String.format("g%03d", g), ip));
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
  void aHundredGroupsSpreadEvenlySurviveACrashWithoutFalseMovesAndRebalanceOnRejoin() throws Exception {
    assertTrue(FailoverLab.await(Duration.ofSeconds(150), BalancedPlacementTest::evenOnThree),
        "33/33/34 after start: " + LabVips.counts(lab, 3, IPS) + "\n" + lab.report());
    int decider = lab.singletonNode();
    int victim = decider == 3 ? 2 : 3;
    int other = 6 - decider - victim;
    Map<String, Integer> before = holders(Set.of());
    Set<String> victims = new HashSet<>();
    before.forEach((ip, n) -> { if (n == victim) victims.add(ip); });
    int takeoversBefore = takeovers(decider) + takeovers(other);
    Map<Integer, Long> leasesLostBefore = Map.of(decider, leasesLost(decider), other, leasesLost(other));
    long crashed = System.nanoTime();
    lab.crash(victim, Duration.ofSeconds(1));
    // The dead machine's kernel still lists its addresses (its link is down, its fence closed): the survivors are counted.
    assertTrue(FailoverLab.await(Duration.ofSeconds(30), () -> holders(Set.of(victim)).size() == GROUPS),
        "every group held again by a survivor after n" + victim + " crashed: " + LabVips.counts(lab, 3, IPS) + "\n" + lab.report());
    long tookMillis = (System.nanoTime() - crashed) / 1_000_000;
    Thread.sleep(2000);
    Map<String, Integer> after = holders(Set.of(victim));
    assertEquals(GROUPS, after.size(), "each address held by exactly one survivor: " + after);
    Map<Integer, Integer> counts = LabVips.counts(lab, 3, IPS);
    assertTrue(Math.abs(counts.get(decider) - counts.get(other)) <= 1, "the survivors split n" + victim + "'s " + victims.size()
        + " groups evenly: " + counts);
    List<String> moved = new ArrayList<>();
    before.forEach((ip, n) -> { if (n != victim && !after.get(ip).equals(n)) moved.add(ip + " n" + n + "->n" + after.get(ip)); });
    assertEquals(List.of(), moved, "no group the survivors held moved");
    int takeovers = takeovers(decider) + takeovers(other) - takeoversBefore;
    assertEquals(victims.size(), takeovers, "one takeover per group of the dead node, none for the others");
    for (int i : List.of(decider, other)) {
      assertEquals(leasesLostBefore.get(i), leasesLost(i), "n" + i + " lost no lease during the mass takeover");
    }
    System.out.printf("n%d crashed: its %d groups held by the survivors after %d ms, %s%n", victim, victims.size(), tookMillis, counts);

    int rebalancesBefore = rebalances();
    lab.restart(victim, Duration.ofSeconds(30));
    long rejoined = System.nanoTime();
    assertTrue(FailoverLab.await(Duration.ofSeconds(120), BalancedPlacementTest::evenOnThree),
        "33/33/34 after n" + victim + " rejoined: " + LabVips.counts(lab, 3, IPS) + "\n" + lab.report());
    Thread.sleep(2000);
    Map<Integer, Integer> settled = LabVips.counts(lab, 3, IPS);
    assertTrue(evenOnThree(), "and it stays so: " + settled);
    int rebalanced = rebalances() - rebalancesBefore;
    System.out.printf("n%d rejoined: %s after %d ms with %d graceful moves%n", victim, settled,
        (System.nanoTime() - rejoined) / 1_000_000, rebalanced);
    assertEquals(settled.get(victim), rebalanced, "only the groups needed moved back, each once");
  }

  private static boolean evenOnThree() {
    List<Integer> counts = new ArrayList<>(LabVips.counts(lab, 3, IPS).values());
    counts.sort(null);
    return counts.equals(List.of(33, 33, 34));
  }

  /** Address to the one node holding it, skipping {@code skip}; addresses held twice or nowhere are left out. */
  private static Map<String, Integer> holders(Set<Integer> skip) {
    Map<String, Integer> holders = new HashMap<>();
    LabVips.holderMap(lab, 3, IPS).forEach((ip, nodes) -> {
      List<Integer> on = new ArrayList<>(nodes);
      on.removeAll(skip);
      if (on.size() == 1) holders.put(ip, on.get(0));
    });
    return holders;
  }

  private static long leasesLost(int i) {
    return lab.nodes().log(i).lines().filter(l -> l.contains("LEASE LOST")).count();
  }

  /** Takeovers the deciders on node {@code i} carried out (every path). */
  private static int takeovers(int i) {
    return (int) lab.nodes().events(i).stream().filter(e -> e.get("event").equals("takeover")).count();
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
