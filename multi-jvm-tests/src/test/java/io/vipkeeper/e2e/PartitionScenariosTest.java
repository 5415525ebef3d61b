package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Never two owners, on one running 3-node cluster: a cut-off holder, a 2/1 split with the holder
 * in the majority, a flapping link, the heal with the downed node's rejoin, and a crash in the
 * middle of a hand-over. Witnesses: a second host that sends an ARP request every 20 ms (two
 * holders = one request answered from two MACs), the client probe, and the kernels' address events
 * (an old holder's address that outlives its lease in a starved JVM's kernel is fenced: reported).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartitionScenariosTest {

  private static FailoverLab lab;
  private static NeighbourAsker asker;
  private static int holder;
  private static final long started = System.nanoTime();

  @BeforeAll
  static void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    lab = FailoverLab.up(Lab.prefix("vkp"), 3, 2,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("partitions")));
    asker = NeighbourAsker.start(lab.lab(), "c2", "198.18.0.101", "2001:db8:18::101", LabAddresses.VIP, "", 20, 1200);
    lab.startAll();
    holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    assertTrue(holder > 0, "one holder within 60 s:\n" + lab.report());
  }

  @AfterAll
  static void down() {
    if (asker != null) asker.close();
    if (lab != null) lab.close();
  }

  /**
   * Never two holders: no ARP request answered from two MACs. The kernels must agree unless an old
   * holder's JVM was too slow to remove an address whose lease had ended: its kernel fence kept it
   * silent, and the overlap is printed (the kernel fence tests assert that silence).
   */
  private static void assertNoTwoHolders(String when) {
    Map<Long, List<String>> twice = asker.answeredTwice("arp", started);
    assertEquals(Map.of(), twice, "ARP requests answered by two MACs " + when + ": " + asker.summary(started) + "\n" + lab.report());
    double kernels = lab.maxOverlapMillis();
    if (kernels > 0) {
      System.out.printf("%s: an address outlived its lease in a kernel for %.0f ms, fenced (no request answered twice)%n", when, kernels);
    }
  }

  @Test
  @Order(1)
  void cutOffHolderReleasesBeforeAnotherClaims() throws Exception {
    int cut = holder;
    int[] before = logLengths();
    Takeover t = lab.cut(cut, Duration.ofSeconds(30));
    print(t);
    assertTrue(t.tookOver(), "another node answers within 30 s:\n" + lab.report());
    assertTrue(t.released().isPresent(), "n" + cut + " released on its own:\n" + lab.report());
    assertTrue(t.released().getAsLong() < t.claimed().orElseThrow(),
        "the cut-off holder released before " + t.to() + " claimed:\n" + lab.report());
    assertEquals(0, t.answersFromOldAfterNew(), "the cut-off holder answered after the takeover");
    assertNoTwoHolders("after the cut");
    // The lease ended the cut-off holder's claim; the membership detector (heartbeats every
    // 700 ms, ~2.7 s to notice) then tells it its side would not survive, while the cut lasts.
    assertTrue(FailoverLab.await(Duration.ofSeconds(10), () -> lab.nodes().log(cut).contains("would not survive a split")),
        lab.nodes().log(cut));
    heal();
    assertNoSelfReleaseOutside(cut, before, "the cut and its heal");
  }

  @Test
  @Order(2)
  void splitWithTheHolderInTheMajorityMovesNothing() throws Exception {
    int other = holder == 3 ? 2 : 3;
    String majority = "n" + holder + " n" + (6 - holder - other);
    int[] before = logLengths();
    lab.split(majority, "n" + other);
    for (int k = 0; k < 60; k++) {
      Thread.sleep(100);
      assertEquals(List.of(holder), lab.holders(), "the VIP stays on n" + holder + ":\n" + lab.report());
    }
    assertNoTwoHolders("during the split");
    int kept = holder;
    heal();
    assertEquals(kept, holder, "the VIP stayed on n" + kept + " through the heal and n" + other + "'s rejoin:\n" + lab.report());
    assertNoSelfReleaseOutside(other, before, "the split and its heal");
  }

  @Test
  @Order(3)
  void flappingLinkNeverGivesTwoOwnersAndSettles() throws Exception {
    // Each cut outlasts the lease's suspect-after (500 ms); the membership detector may not see it.
    int logged = lab.nodes().log(1).length() + lab.nodes().log(2).length() + lab.nodes().log(3).length();
    for (int k = 0; k < 6; k++) {
      lab.lab().script("cut", lab.lab().prefix(), "n" + holder);
      Thread.sleep(900);
      lab.heal();
      Thread.sleep(500);
    }
    String during = (lab.nodes().log(1) + lab.nodes().log(2) + lab.nodes().log(3));
    assertTrue(during.length() > logged && (during.contains("Marking node as UNREACHABLE") || during.contains("LEASE LOST")),
        "the flapping link was seen (unreachable or a lost lease):\n" + lab.report());
    heal();
    holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    assertTrue(holder > 0, "the VIP settles on one node:\n" + lab.report());
    assertNoTwoHolders("while the link flapped");
    assertEquals(0, lab.flipBacks(), "the client got answers from two nodes in turn");
  }

  @Test
  @Order(4)
  void afterTheHealEachEpochHadOneOwnerAndEpochsOnlyGrew() {
    assertTrue(lab.nodes().formed(), "every node rejoined:\n" + lab.report());
    assertEpochHistoryIsClean();
  }

  @Test
  @Order(5)
  void crashDuringAHandOverLeavesNoStaleAddressAndEpochsKeepGrowing() throws Exception {
    Set<String> phases = new HashSet<>();
    for (long delay : List.of(10L, 3000L)) {
      int old = holder;
      int before = lab.nodes().log(old).length();
      Takeover t = lab.crashDuringStop(old, delay, Duration.ofSeconds(30));
      String incarnation = lab.nodes().log(old).substring(before);
      String phase = incarnation.contains("RELEASED group=vip") ? "after the release" : "before the release";
      phases.add(phase);
      System.out.println("kill -9 " + delay + " ms after SIGTERM hit the hand-over " + phase);
      print(t);
      assertTrue(t.tookOver(), "another node answers within 30 s:\n" + lab.report());
      assertTrue(lab.restart(old, Duration.ofSeconds(30)), "no stale address after the restart:\n" + lab.report());
      holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
      assertTrue(holder > 0, lab.report());
      assertNoTwoHolders("after a kill during the hand-over");
      assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().formed()), lab.report());
    }
    assertEquals(Set.of("before the release", "after the release"), phases, "the kill landed on both sides of the release");
    assertEpochHistoryIsClean();
  }

  /** Heals, restarts every node that went down, and starts the next scenario from the holder then. */
  private static void heal() throws Exception {
    holder = lab.healAndRejoin(Duration.ofSeconds(90));
    assertTrue(holder > 0, "every node rejoined and one node holds:\n" + lab.report());
  }

  private static int[] logLengths() {
    return new int[] {0, lab.nodes().log(1).length(), lab.nodes().log(2).length(), lab.nodes().log(3).length()};
  }

  /**
   * Only the node that was cut off may find its side would not survive. After the heal it still
   * reports the others unreachable for up to a heartbeat; a majority node that counted those
   * reports as its own released a VIP it had every right to keep.
   */
  private static void assertNoSelfReleaseOutside(int cutOff, int[] before, String when) {
    for (int i = 1; i <= 3; i++) {
      String log = lab.nodes().log(i);
      if (i == cutOff || log.length() < before[i]) continue;
      assertFalse(log.substring(before[i]).contains("would not survive a split"),
          "n" + i + " was never cut off, yet released during " + when + ":\n" + lab.report());
    }
  }

  private static void assertEpochHistoryIsClean() {
    List<FailoverLab.Claim> claims = lab.claims();
    Map<Long, Set<String>> owners = new HashMap<>();
    long last = 0;
    for (FailoverLab.Claim c : claims) {
      owners.computeIfAbsent(c.epoch(), e -> new HashSet<>()).add(c.node());
      assertTrue(c.epoch() > last, "epochs only grow: " + claims);
      last = c.epoch();
    }
    owners.forEach((epoch, nodes) -> assertEquals(1, nodes.size(), "epoch " + epoch + " had owners " + nodes));
    System.out.println("epoch history: " + claims.stream().map(c -> c.node() + "@" + c.epoch()).toList());
  }

  private static void print(Takeover t) {
    System.out.println(t.kind() + ": " + t.fault());
    t.timeline().forEach(line -> System.out.println("  " + line));
  }
}
