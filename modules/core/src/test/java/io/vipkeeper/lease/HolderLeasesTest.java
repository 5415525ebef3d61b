package io.vipkeeper.lease;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.testing.TestConfigs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;

/** A holder's leases against one ledger (a probe) on a one-node cluster: held, extended, lost. */
class HolderLeasesTest {

  private ActorTestKit kit;
  private TestProbe<EpochLedger.Command> ledger;
  private TestProbe<HolderLeases.Notice> notices;
  private ActorRef<HolderLeases.Command> leases;
  private VipKeeperSettings settings;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("vkl", TestConfigs.clusterNode(""));
    TestConfigs.joinSelf(kit);
    ledger = kit.createTestProbe();
    notices = kit.createTestProbe();
    TestProbe<Receptionist.Registered> registered = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.register(EpochLedger.RECOVERED, ledger.ref(), registered.ref()));
    registered.receiveMessage();
    settings = VipKeeperSettings.create(kit.system().settings().config());
    leases = kit.spawn(HolderLeases.create(settings.lease(), Quorum.of(kit.system().settings().config()), notices.ref()));
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private EpochLedger.Renew renewal() {
    return ledger.fishForMessage(Duration.ofSeconds(5), m -> m instanceof EpochLedger.Renew
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()).stream()
        .map(EpochLedger.Renew.class::cast).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void aGrantedLeaseRunsALeaseFromTheRoundsSendTimeAndEndsWhenGrantsStop() {
    long before = System.nanoTime();
    leases.tell(new HolderLeases.Hold("web", 3, null));
    EpochLedger.Renew first = renewal();
    assertEquals(Map.of("web", 3L), first.epochs());
    first.replyTo().tell(new EpochLedger.Renewed("n1", List.of("web"), Map.of(), false));
    HolderLeases.LeaseHeld held = notices.expectMessageClass(HolderLeases.LeaseHeld.class);
    long duration = settings.lease().duration().toNanos();
    assertTrue(held.untilNanos() - before > 0 && held.untilNanos() - System.nanoTime() <= duration,
        "the lease ends one duration after the round was sent, not after the answer");

    EpochLedger.Renew next = renewal();
    next.replyTo().tell(new EpochLedger.Renewed("n1", List.of("web"), Map.of(), false));
    HolderLeases.LeasesExtended extended = notices.expectMessageClass(HolderLeases.LeasesExtended.class);
    assertTrue(extended.untilNanos().get("web") - held.untilNanos() > 0, "a later round reaches further");

    // No more grants: lost within about a lease.
    HolderLeases.LeaseLost lost = notices.expectMessageClass(HolderLeases.LeaseLost.class, settings.lease().duration().multipliedBy(3));
    assertTrue(lost.why().contains("no surviving set of nodes granted a renewal"), lost.why());
  }

  /**
   * Ledgers that promised a newer epoch stop granting this one, but the lease already granted runs
   * its course: the holder serves until its decider's release or the lease's end, never beyond it.
   */
  @Test
  void aNewerPromiseStopsTheRenewalsAndTheLeaseEndsNoEarlierThanGranted() {
    leases.tell(new HolderLeases.Hold("web", 3, null));
    renewal().replyTo().tell(new EpochLedger.Renewed("n1", List.of("web"), Map.of(), false));
    HolderLeases.LeaseHeld held = notices.expectMessageClass(HolderLeases.LeaseHeld.class);
    renewal().replyTo().tell(new EpochLedger.Renewed("n1", List.of(), Map.of("web", 4L), false));
    HolderLeases.LeaseLost lost = notices.fishForMessage(Duration.ofSeconds(2), n -> n instanceof HolderLeases.LeaseLost
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()).stream()
        .map(HolderLeases.LeaseLost.class::cast).reduce((a, b) -> b).orElseThrow();
    assertTrue(System.nanoTime() - held.untilNanos() >= 0, "lost before the granted lease ended");
    assertTrue(lost.why().contains("(epoch 4 was promised on n1)"), lost.why());
  }

  /** A claim whose lease is not held yet is stale once a newer epoch is promised: refused at once. */
  @Test
  void aNewerPromiseRefusesAClaimNotHeldYet() {
    leases.tell(new HolderLeases.Hold("web", 3, null));
    renewal().replyTo().tell(new EpochLedger.Renewed("n1", List.of(), Map.of("web", 4L), false));
    HolderLeases.LeaseLost lost = notices.expectMessageClass(HolderLeases.LeaseLost.class);
    assertEquals("epoch 4 was promised on n1", lost.why());
  }

  /** Holds that arrive together (a mass takeover) share their first round: one renewal carries them all. */
  @Test
  void holdsThatArriveTogetherShareTheirFirstRound() {
    for (int g = 0; g < 30; g++) leases.tell(new HolderLeases.Hold("g" + g, 2, null));
    EpochLedger.Renew first = renewal();
    assertEquals(30, first.epochs().size(), "the first round carries every hold that was queued: " + first.epochs().keySet());
    first.replyTo().tell(new EpochLedger.Renewed("n1", List.copyOf(first.epochs().keySet()), Map.of(), false));
    for (int g = 0; g < 30; g++) notices.expectMessageClass(HolderLeases.LeaseHeld.class);
  }

  /**
   * The decider's ledger, named by the claim, is renewed with from the first round on although this
   * node has not listed it (a node that just joined): the decider watches that ledger and would
   * otherwise suspect a holder that renews fine elsewhere. It also hears the renunciation.
   */
  @Test
  void theDecidersLedgerIsRenewedWithBeforeItIsListed() {
    TestProbe<EpochLedger.Command> watcher = kit.createTestProbe();
    leases.tell(new HolderLeases.Hold("web", 5, watcher.ref()));
    EpochLedger.Renew seen = watcher.expectMessageClass(EpochLedger.Renew.class);
    assertEquals(Map.of("web", 5L), seen.epochs(), "the watcher gets the first round: " + seen);
    renewal().replyTo().tell(new EpochLedger.Renewed("n1", List.of("web"), Map.of(), false));
    notices.expectMessageClass(HolderLeases.LeaseHeld.class);
    watcher.expectMessageClass(EpochLedger.Renew.class, Duration.ofSeconds(2));

    leases.tell(new HolderLeases.Drop("web"));
    EpochLedger.Command last = watcher.fishForMessage(Duration.ofSeconds(2), m -> m instanceof EpochLedger.Renounce
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()).stream().reduce((a, b) -> b).orElseThrow();
    assertEquals(new EpochLedger.Renounce("web", 5), last);
    watcher.expectNoMessage(settings.lease().renewInterval().multipliedBy(3));
  }
}
