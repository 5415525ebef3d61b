package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
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
 * vmac mode on a switch that drops gratuitous ARP for the VIP before learning from it (an nftables
 * rule on the bridge's prerouting hook, as ARP inspection or an ARP rate policy). The new holder's
 * switch-learning frames move the virtual MAC's port; the client's entry never changes. Four faults
 * of the holder on one cluster: a planned stop, its JVM killed with the link up, a cut from the
 * other nodes (its port stays up), a crash with the link down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VirtualMacWithoutGarpTest {

  private static final String VMAC = "00:00:5e:00:01:34";
  /** A liveness bound, not a speed claim (bin/vipkeeper garp-policy prints the measured times). */
  private static final double SILENCE_LIMIT_MS = 3000;
  /**
   * When the holder also ran the deciders (a placement made while only it and one other node were
   * Up stays there), its crash takes the slower path: detection, the resolver's decision, the
   * singleton's start elsewhere (README, "Holder leases"; the demo's crash: about 4 s).
   */
  private static final double DECIDER_DIED_LIMIT_MS = 7000;
  private FailoverLab lab;

  @BeforeAll
  void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    lab = FailoverLab.up(Lab.prefix("vkng"), 3, l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("vmac-no-garp"), "vipkeeper",
        Map.of("VIPKEEPER_MODE", "vmac", "VIPKEEPER_VRID", "52"), List.of()));
    lab.dropGratuitousArp(LabAddresses.VIP);
    lab.startAll();
    assertTrue(lab.awaitSingleHolder(Duration.ofSeconds(60)) > 0, "one holder within 60 s:\n" + lab.report());
    assertTrue(lab.clientNeighbour().startsWith(VMAC), "the client talks to the virtual MAC: " + lab.clientNeighbour());
  }

  @AfterAll
  void down() {
    if (lab != null) lab.close();
  }

  @Test
  @Order(1)
  void aPlannedStop() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    Takeover t = check(holder, () -> lab.stop(holder, Duration.ofSeconds(30)));
    lab.rejoin(holder);
    assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().formed()), "n" + holder + " rejoined:\n" + lab.report());
    assertFalse(t.to().equals("n" + holder));
  }

  @Test
  @Order(2)
  void theJvmKilledWithTheLinkUp() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    check(holder, () -> lab.kill(holder, Duration.ofSeconds(30)));
    assertTrue(lab.restart(holder, Duration.ofSeconds(30)), "the restarted node removed what the dead JVM left:\n" + lab.report());
  }

  @Test
  @Order(3)
  void cutOffFromTheOtherNodesWithItsPortUp() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    check(holder, () -> lab.cut(holder, Duration.ofSeconds(30)));
    lab.heal();
    // Downed by the others, it exits; one that was cut off can take 10 s and more (remoting's shutdown on the broken links).
    FailoverLab.await(Duration.ofSeconds(30), () -> !lab.nodes().running(holder));
    if (!lab.nodes().running(holder)) lab.rejoin(holder);
    assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().formed()), "n" + holder + " rejoined:\n" + lab.report());
  }

  @Test
  @Order(4)
  void aCrashWithTheLinkDown() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    check(holder, () -> lab.crash(holder, Duration.ofSeconds(30)));
    assertTrue(lab.restart(holder, Duration.ofSeconds(30)), "start-up reconcile removed the stale vmac link:\n" + lab.report());
  }

  private interface Fault {
    Takeover make() throws Exception;
  }

  private Takeover check(int holder, Fault fault) throws Exception {
    long dropped = lab.droppedGratuitousArp();
    boolean deciderToo = lab.singletonNode() == holder;
    Takeover t = fault.make();
    System.out.printf("vmac, G-ARP dropped, %s%s: %s%n", t.fault(), deciderToo ? " (it ran the deciders too)" : "", t.tookOver() ? String.format("%s answers after %.0f ms", t.to(), t.takeoverMillis()) : "nobody answers");
    t.timeline().forEach(line -> System.out.println("  " + line));
    assertTrue(t.tookOver(), "another node answers:\n" + lab.report());
    assertTrue(lab.droppedGratuitousArp() > dropped, "the switch dropped the new holder's gratuitous ARP (the policy is on)");
    int now = Integer.parseInt(t.to().substring(1));
    assertNotEquals(holder, now);
    assertTrue(t.neighbourBefore().startsWith(VMAC) && t.neighbourAfter().startsWith(VMAC),
        "the client's entry kept the virtual MAC: before " + t.neighbourBefore() + ", after " + t.neighbourAfter());
    String fdb = lab.lab().exec("sw", "bridge", "fdb", "show", "br", "br0");
    assertTrue(fdb.contains(VMAC + " dev n" + now + " "), "the bridge learned the vmac on n" + now + " without G-ARP: " + fdb);
    assertEquals(0, t.answersFromOldAfterNew(), "answers from n" + holder + " after the takeover:\n" + lab.report());
    double limit = deciderToo && !t.fault().startsWith("SIGTERM") ? DECIDER_DIED_LIMIT_MS : SILENCE_LIMIT_MS;
    long windowEnd = t.faultNanos() + (long) (limit * 1e6) + 1_000_000_000L;
    java.util.concurrent.locks.LockSupport.parkNanos(windowEnd - System.nanoTime()); // the window must be over before it is read
    double silence = lab.longestSilenceMillis(t.faultNanos(), windowEnd);
    assertTrue(silence < limit, "the VIP went unanswered for " + silence + " ms (bound " + limit + " ms"
        + (deciderToo ? ", n" + holder + " ran the deciders" : "") + "):\n" + lab.report());
    assertEquals(0.0, lab.maxOverlapMillis(), "two live holders:\n" + lab.report());
    assertTrue(FailoverLab.await(Duration.ofSeconds(5), () -> lab.nodes().log(now).contains("GARP NOT SEEN group=vip")),
        "the new holder noticed that its G-ARP went unseen:\n" + lab.nodes().log(now));
    return t;
  }
}
