package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The kernel fence against faults of the holder's JVM while its host runs on: kill -9, a 5 s
 * SIGSTOP, 3 s of CPU starvation. A second host asks ARP and NS for the VIP every 20 ms and records
 * every answer; the client probes over UDP every 5 ms. Each fault: no request answered twice (two
 * holders), no answer from the old holder after the new one's first, no flip back, the VIP answered
 * again soon after the fault. One cluster per failover method, shared by the three faults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class KernelFenceScenarios {

  static final String VIP6 = "2001:db8:18::50";
  /** A liveness bound, not a speed claim (bin/vipkeeper bench prints the measured times). */
  private static final double SILENCE_LIMIT_MS = 3000;
  private FailoverLab lab;
  private NeighbourAsker asker;

  /** The group's mode variables (VIPKEEPER_MODE ...), empty for gratuitous ARP. */
  abstract Map<String, String> mode();

  abstract String name();

  /** The group's virtual MAC, "" for gratuitous ARP. */
  String virtualMac() {
    return "";
  }

  @BeforeAll
  void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    Map<String, String> env = new HashMap<>(mode());
    env.put("VIPKEEPER_VIPS", LabAddresses.VIP + "/24," + VIP6 + "/64");
    lab = FailoverLab.up(Lab.prefix(name()), 3, 2,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir(name()), "vipkeeper", env, List.of()));
    lab.startAll();
    assertTrue(lab.awaitSingleHolder(Duration.ofSeconds(60)) > 0, "one holder within 60 s:\n" + lab.report());
    asker = NeighbourAsker.start(lab.lab(), "c2", "198.18.0.101", "2001:db8:18::101", LabAddresses.VIP, VIP6, 20, 900);
  }

  @AfterAll
  void down() {
    if (asker != null) asker.close();
    if (lab != null) lab.close();
  }

  @Test
  @Order(1)
  void aKilledJvmsKernelStopsAnsweringWhenItsLeaseEnds() throws Exception {
    int holder = awaitHolderAnsweringTheAsker();
    Takeover t = lab.kill(holder, Duration.ofSeconds(30));
    check(t, holder, Duration.ZERO);
    assertTrue(lab.holders().contains(holder), "the killed JVM's kernel still has the VIP (only the fence silences it):\n" + lab.report());
    if (!virtualMac().isEmpty()) {
      // Its link would otherwise still send from the MAC (MLD reports to a querier), pulling it to this port.
      String guarded = lab.lab().exec("n" + holder, "nft", "list", "set", "netdev", "vipkeeper_eth0", "vmacs");
      String leased = lab.lab().exec("n" + holder, "nft", "list", "set", "netdev", "vipkeeper_eth0", "leasedmacs");
      assertTrue(guarded.contains(virtualMac()) && !leased.contains(virtualMac()),
          "the killed JVM's fence guards its virtual MAC, unleased:\n" + guarded + leased);
    }
    assertTrue(lab.restart(holder, Duration.ofSeconds(30)), "the restarted node removed what the dead JVM left:\n" + lab.report());
  }

  @Test
  @Order(2)
  void aFrozenJvmNeitherAnswersNorAnnouncesWhenItResumes() throws Exception {
    int holder = awaitHolderAnsweringTheAsker();
    int logged = lab.nodes().log(holder).length();
    Takeover t = lab.freeze(holder, Duration.ofSeconds(5), Duration.ofSeconds(30));
    check(t, holder, Duration.ofSeconds(5));
    recover(holder, logged);
  }

  @Test
  @Order(3)
  void aStarvedJvmNeverLeavesTwoAnsweringHolders() throws Exception {
    int holder = awaitHolderAnsweringTheAsker();
    int logged = lab.nodes().log(holder).length();
    long fault = System.nanoTime();
    Takeover t = lab.starve(holder, Duration.ofSeconds(3), Duration.ofSeconds(10));
    print(t, fault);
    // A starved JVM may still renew now and then and keep the VIP: then nobody takes over, and
    // that is fine. Whatever happened, never two holders and never a long silence.
    assertNoTwoHolders(fault);
    assertTrue(lab.longestSilenceMillis(fault, fault + Duration.ofSeconds(6).toNanos()) < SILENCE_LIMIT_MS, lab.report());
    assertEquals(0, lab.flipBacksSince(fault), "the client went back and forth:\n" + lab.report());
    recover(holder, logged);
  }

  private void check(Takeover t, int holder, Duration pause) throws Exception {
    print(t, t.faultNanos());
    assertTrue(t.tookOver(), "another node answers:\n" + lab.report());
    assertNoTwoHolders(t.faultNanos());
    assertEquals(0, t.answersFromOldAfterNew(), "the client got answers from n" + holder + " after the takeover:\n" + lab.report());
    assertEquals(0, lab.flipBacksSince(t.faultNanos()), "the client went back to n" + holder + ":\n" + lab.report());
    double silence = lab.longestSilenceMillis(t.faultNanos(), t.faultNanos() + pause.toNanos() + Duration.ofSeconds(3).toNanos());
    assertTrue(silence < SILENCE_LIMIT_MS, "the VIP went unanswered for " + silence + " ms:\n" + lab.report());
    String newMac = asker.replies().stream().filter(r -> r.nanos() > t.firstAnswer().getAsLong() + 1_000_000_000L)
        .map(NeighbourAsker.Reply::mac).distinct().toList().toString();
    assertFalse(newMac.contains(LabAddresses.nodeMac(holder)) && mode().isEmpty(), "n" + holder + "'s MAC still answers: " + newMac);
  }

  private void assertNoTwoHolders(long fault) {
    String seen = asker.summary(fault);
    assertEquals(Map.of(), asker.answeredTwice("arp", fault), "ARP requests answered twice: " + seen);
    assertEquals(Map.of(), asker.answeredTwice("na", fault), "Neighbor Solicitations answered twice: " + seen);
    assertTrue(asker.answers("arp", fault) > 0 && asker.answers("na", fault) > 0, "the asker heard answers at all: " + seen);
  }

  /** One holder that the asker hears, before a fault is made. */
  private int awaitHolderAnsweringTheAsker() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    assertTrue(holder > 0, "one holder:\n" + lab.report());
    long since = System.nanoTime();
    assertTrue(FailoverLab.await(Duration.ofSeconds(10), () -> asker.answers("arp", since) > 0 && asker.answers("na", since) > 0),
        "the asker hears the holder: " + asker.summary(since));
    return holder;
  }

  /** The stalled node either went on as a member or was downed (its JVM exits): bring it back. */
  private void recover(int node, int logged) throws Exception {
    Thread.sleep(3000);
    lab.afterStall(node, logged);
    assertTrue(lab.awaitSingleHolder(Duration.ofSeconds(60)) > 0, "one holder again:\n" + lab.report());
  }

  private void print(Takeover t, long fault) {
    System.out.println(name() + " " + t.kind() + ": " + t.fault() + (t.tookOver() ? String.format(" -> %s in %.0f ms", t.to(), t.takeoverMillis()) : ""));
    t.timeline().forEach(line -> System.out.println("  " + line));
    System.out.println("  asker: " + asker.summary(fault));
  }
}
