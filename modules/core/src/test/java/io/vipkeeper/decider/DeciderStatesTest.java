package io.vipkeeper.decider;

import org.apache.pekko.Done;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.ArrayList;
import java.util.List;
import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.TakeoverPath;
import io.vipkeeper.catalog.VipCatalog;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.lease.LeaseGrants;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.testing.TestConfigs;
import java.time.Duration;
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

/**
 * The decider state by state, on a one-node cluster whose interface actor and ledger are test
 * probes: each order it sends is seen, and each answer is the test's.
 */
class DeciderStatesTest {

  private ActorTestKit kit;
  private TestProbe<InterfaceActor.Command> nic;
  private TestProbe<EpochLedger.Command> ledger;
  private ActorRef<Decider.Command> decider;
  private NodeIdentity self;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("vkd", TestConfigs.clusterNode("""
        vipkeeper.node-name = n1
        vipkeeper.holder-check-interval = 1h
        vipkeeper.claim-retry = 1h
        """));
    TestConfigs.joinSelf(kit);
    Cluster cluster = Cluster.get(kit.system());
    self = new NodeIdentity("n1", cluster.selfMember().address().toString());
    nic = kit.createTestProbe();
    ledger = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.register(InterfaceActor.KEY, nic.ref()));
    kit.system().receptionist().tell(Receptionist.register(EpochLedger.KEY, ledger.ref()));
    VipKeeperSettings settings = VipKeeperSettings.create(kit.system().settings().config());
    ActorRef<PlacementBoard.Command> board = kit.spawn(PlacementBoard.create(Duration.ofHours(1)));
    TestProbe<VipCatalog.Command> catalog = kit.createTestProbe();
    decider = kit.spawn(Decider.create(settings.groups().get(0), settings, Quorum.of(kit.system().settings().config()),
        new DeciderBoards(board, kit.spawn(RenewalWatch.create(settings.lease().renewInterval(), settings.lease().suspectAfter()))), catalog.ref()));
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private void answerSurvey() {
    nic.expectMessageClass(InterfaceActor.QueryHoldings.class, Duration.ofSeconds(10)).replyTo()
        .tell(new InterfaceActor.Holdings(self, Map.of(), Map.of(), true, 1.0, Map.of(), ""));
  }

  /** The promise names its target, which meanwhile takes its lease on the same epoch. */
  private EpochLedger.Promise expectPromise() {
    InterfaceActor.Prepare prepare = nic.expectMessageClass(InterfaceActor.Prepare.class, Duration.ofSeconds(5));
    EpochLedger.Promise promise = ledger.expectMessageClass(EpochLedger.Promise.class, Duration.ofSeconds(5));
    assertEquals(promise.epoch(), prepare.epoch(), "the target is prepared for the epoch being promised");
    assertEquals(self.address(), promise.to(), "leases on the epoch go only to the target");
    return promise;
  }

  private void place() {
    answerSurvey();
    EpochLedger.Promise promise = expectPromise();
    assertEquals(1, promise.epoch(), "the first epoch");
    promise.replyTo().tell(new EpochLedger.PromiseResult("web", 1, "n1", true, 1, LeaseGrants.NEVER));
    InterfaceActor.Claim claim = nic.expectMessageClass(InterfaceActor.Claim.class);
    assertEquals(1, claim.epoch(), "the claim carries the promised epoch");
    assertEquals(ledger.ref(), claim.watcher(), "the claim names the ledger this node's renewal watch asks");
    claim.replyTo().tell(new InterfaceActor.ClaimResult("web", 1, self, true, ""));
  }

  private Decider.Status status() {
    TestProbe<Decider.Status> probe = kit.createTestProbe();
    decider.tell(new Decider.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  @Test
  void surveyThenPromiseThenClaimPlacesTheGroup() {
    place();
    TestProbe<Object> wait = kit.createTestProbe();
    wait.awaitAssert(() -> {
      Decider.Status status = status();
      assertEquals("n1", status.holder());
      assertEquals(1, status.epoch());
      assertEquals(TakeoverPath.DECIDER_START, status.lastTakeover().path());
      return null;
    });
  }

  @Test
  void aHandOverWhileAPromiseIsOutReleasesOnThisNodeAndStops() {
    answerSurvey();
    expectPromise(); // not answered: the decider is promising
    decider.tell(Decider.HandOver.INSTANCE);
    InterfaceActor.Release release = nic.expectMessageClass(InterfaceActor.Release.class);
    assertEquals("hand-over", release.reason());
    nic.expectNoMessage(Duration.ofMillis(200)); // no claim follows
    release.replyTo().tell(new InterfaceActor.ReleaseResult("web", self, true, ""));
    nic.expectTerminated(decider, Duration.ofSeconds(5));
  }

  @Test
  void aMoveAskedForDuringAPlacementIsTakenUpOnceItIsDone() {
    decider.tell(new Decider.MoveTo("pekko://vipkeeper@198.18.0.99:25520", Decider.MoveReason.OPERATOR));
    place();
    answerSurvey(); // the deferred move surveys again (no other timer asks: holder checks are hourly here)
  }

  /**
   * A stopping holder is not surveyed: its answer is known (it holds the group, takes no claim) and,
   * from a JVM that is shutting down, came slowest, ahead of the whole move.
   */
  @Test
  void aStoppingHolderIsNotAskedAndNeverChosenAgain() {
    place();
    TestProbe<Object> wait = kit.createTestProbe();
    wait.awaitAssert(() -> { assertEquals("n1", status().holder()); return null; });
    TestProbe<Done> done = kit.createTestProbe();
    decider.tell(new Decider.Vacate("pekko://vipkeeper@198.18.0.99:25520", done.ref()));
    done.expectMessage(Done.getInstance()); // not the holder: nothing to wait for
    nic.expectNoMessage(Duration.ofMillis(300));
    decider.tell(new Decider.Vacate(self.address(), done.ref()));
    done.expectMessage(Done.getInstance()); // the stopping node need not wait: no move can be made now
    List<EpochLedger.Command> told = new ArrayList<>();
    try {
      while (true) told.add(ledger.receiveMessage(Duration.ofMillis(300)));
    } catch (AssertionError quiet) {
      // nothing more within 300 ms
    }
    assertTrue(told.stream().noneMatch(m -> m instanceof EpochLedger.Promise p && p.epoch() > 1),
        "no other node can hold it, so no new epoch is promised: " + told);
    nic.expectNoMessage(Duration.ofMillis(100)); // neither a survey nor a claim went to the stopping node
  }

  /** Was an NPE that stopped the singleton for good (the lab: a kill -9 60 ms after SIGTERM). */
  @Test
  void aTargetWhoseInterfaceActorVanishesBeforeTheClaimDoesNotStopTheDecider() {
    answerSurvey();
    EpochLedger.Promise promise = expectPromise();
    // Subscribers (the decider among them) hear of it together, after the receptionist's own replication.
    TestProbe<Receptionist.Listing> listing = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.subscribe(InterfaceActor.KEY, listing.getRef()));
    listing.receiveMessage();
    kit.system().receptionist().tell(Receptionist.deregister(InterfaceActor.KEY, nic.ref()));
    listing.fishForMessage(Duration.ofSeconds(10), l -> l.getServiceInstances(InterfaceActor.KEY).isEmpty()
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    listing.expectNoMessage(Duration.ofMillis(300)); // the receptionist tells each subscriber in turn
    promise.replyTo().tell(new EpochLedger.PromiseResult("web", 1, "n1", true, 1, LeaseGrants.NEVER));
    nic.expectNoMessage(Duration.ofMillis(300)); // no claim can reach it
    TestProbe<Decider.Status> status = kit.createTestProbe();
    decider.tell(new Decider.GetStatus(status.ref()));
    Decider.Status after = status.receiveMessage(Duration.ofSeconds(3));
    assertEquals("", after.holder(), "not placed: " + after);
    assertEquals(1, after.epoch(), "the decider kept what it knew (it did not restart): " + after);
  }

  /** The only ledger refused because it abstained moments ago: the same epoch is asked for again once it votes. */
  @Test
  void aPromiseHeldUpByALedgerThatJustJoinedIsAskedAgainForTheSameEpoch() {
    answerSurvey();
    EpochLedger.Promise first = expectPromise();
    first.replyTo().tell(new EpochLedger.PromiseResult("web", 1, "n1", false, 0, LeaseGrants.NEVER, 50_000_000));
    EpochLedger.Promise again = expectPromise();
    assertEquals(1, again.epoch(), "the same epoch, once the ledger votes");
    again.replyTo().tell(new EpochLedger.PromiseResult("web", 1, "n1", true, 1, LeaseGrants.NEVER));
    assertEquals(1, nic.expectMessageClass(InterfaceActor.Claim.class).epoch());
  }

  /** The target leased ahead; renewing on, it would teach the ledgers the epoch and end the holder's lease with no move. */
  @Test
  void aFailedPromiseDropsTheTargetsLeaseAhead() {
    answerSurvey();
    EpochLedger.Promise promise = expectPromise();
    promise.replyTo().tell(new EpochLedger.PromiseResult("web", 1, "n1", false, 0, LeaseGrants.NEVER));
    InterfaceActor.PrepareLapsed dropped = nic.expectMessageClass(InterfaceActor.PrepareLapsed.class);
    assertEquals(new InterfaceActor.PrepareLapsed("web", 1), dropped);
    nic.expectNoMessage(Duration.ofMillis(200)); // and no claim
  }

  @Test
  void aRefusedClaimIsNotTakenForAHolder() {
    answerSurvey();
    EpochLedger.Promise promise = expectPromise();
    promise.replyTo().tell(new EpochLedger.PromiseResult("web", 1, "n1", true, 1, LeaseGrants.NEVER));
    nic.expectMessageClass(InterfaceActor.Claim.class).replyTo().tell(new InterfaceActor.ClaimResult("web", 1, self, false, "link down"));
    TestProbe<Object> wait = kit.createTestProbe();
    wait.awaitAssert(() -> {
      assertEquals("", status().holder());
      return null;
    });
  }
}
