package io.vipkeeper.ledger;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.testing.TestConfigs;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ledger on a cluster node is listed (votes) only after its node is Up: before it joins, a node
 * sees no members at all, and a restarted node would take that for "nobody else to catch up from".
 * Until then it abstains from lease rounds, and it promises nothing for two lease durations after
 * its last abstention (a holder counted that round without it).
 */
class LedgerListingTest {

  private final ActorTestKit kit = ActorTestKit.create("listing", TestConfigs.clusterNode(""));

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aLedgerIsListedOnlyOnceItsNodeIsUp() {
    TestProbe<EpochLedger.Notice> notices = kit.createTestProbe();
    kit.spawn(EpochLedger.create("n1", notices.getRef()), "ledger");
    notices.expectMessageClass(EpochLedger.Ready.class, Duration.ofSeconds(10));
    TestProbe<Receptionist.Listing> listings = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.subscribe(EpochLedger.KEY, listings.getRef()));
    assertTrue(listings.receiveMessage().getServiceInstances(EpochLedger.KEY).isEmpty());
    // Twice the first catch-up's wait and more: long enough for a ledger that did not wait for Up to list itself.
    listings.expectNoMessage(Duration.ofMillis(1500));

    TestConfigs.joinSelf(kit);
    var listed = listings.receiveMessage(Duration.ofSeconds(10));
    assertEquals(1, listed.getServiceInstances(EpochLedger.KEY).size(), "listed once Up: " + listed);
  }

  @Test
  void aLedgerThatHasNotCaughtUpAbstainsAndThenPromisesNothingForTwoLeases() throws Exception {
    TestProbe<EpochLedger.Notice> notices = kit.createTestProbe();
    var ledger = kit.spawn(EpochLedger.create("n1", notices.getRef()), "ledger");
    notices.expectMessageClass(EpochLedger.Ready.class, Duration.ofSeconds(10));
    TestProbe<EpochLedger.Renewed> renewed = kit.createTestProbe();
    long lease = Duration.ofMillis(500).toNanos();
    ledger.tell(new EpochLedger.Renew(Map.of("web", 1L), lease, renewed.getRef()));
    long abstained = System.nanoTime();
    EpochLedger.Renewed answer = renewed.receiveMessage();
    assertTrue(answer.abstained() && answer.granted().isEmpty(), "not caught up: grants nothing, abstains: " + answer);

    TestProbe<EpochLedger.PromiseResult> promised = kit.createTestProbe();
    ledger.tell(new EpochLedger.Promise("web", 2, promised.getRef()));
    EpochLedger.PromiseResult early = promised.receiveMessage();
    assertTrue(System.nanoTime() - abstained < 2 * lease, "the answer came within the blackout, so it says something");
    assertFalse(early.promised(), "no promise within two lease durations of an abstention: " + early);
    assertTrue(early.votesInNanos() > 0 && early.votesInNanos() <= 2 * lease, "it says when it votes again: " + early);
    Thread.sleep(Duration.ofNanos(2 * lease).toMillis() + 50);
    ledger.tell(new EpochLedger.Promise("web", 2, promised.getRef()));
    assertTrue(promised.receiveMessage().promised(), "promised once the blackout has passed");
  }

  /**
   * Listed but within two lease durations of its last abstention: the ledger helps promise nothing,
   * not even an epoch it learned for the same target (a holder's lease that left it out may still
   * run), and learns nothing from a lease taken ahead of its promise (a refused promise would then
   * still end the holder's lease). A held lease's newer epoch was promised: learned and granted.
   */
  @Test
  void inItsBlackoutAListedLedgerPromisesNothingAndLearnsOnlyFromHeldLeases() {
    TestProbe<EpochLedger.Notice> notices = kit.createTestProbe();
    var ledger = kit.spawn(EpochLedger.create("n1", notices.getRef()), "ledger");
    notices.expectMessageClass(EpochLedger.Ready.class, Duration.ofSeconds(10));
    TestProbe<EpochLedger.Renewed> renewed = kit.createTestProbe();
    long lease = Duration.ofSeconds(5).toNanos(); // a blackout of 10 s: listing takes well under that
    ledger.tell(new EpochLedger.Renew(Map.of("web", 1L), lease, "A", renewed.getRef()));
    assertTrue(renewed.receiveMessage().abstained());
    TestProbe<Receptionist.Listing> listings = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.subscribe(EpochLedger.KEY, listings.getRef()));
    TestConfigs.joinSelf(kit);
    listings.fishForMessage(Duration.ofSeconds(10), l -> l.getServiceInstances(EpochLedger.KEY).isEmpty()
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete());

    ledger.tell(new EpochLedger.Renew(Map.of("web", 3L), lease, "B", java.util.Set.of("web"), renewed.getRef()));
    EpochLedger.Renewed ahead = renewed.receiveMessage();
    assertEquals(java.util.List.of(), ahead.granted(), "a lease ahead of its promise: " + ahead);
    ledger.tell(new EpochLedger.Renew(Map.of("web", 3L), lease, "B", java.util.Set.of(), renewed.getRef()));
    EpochLedger.Renewed held = renewed.receiveMessage();
    assertEquals(java.util.List.of("web"), held.granted(), "a held lease: learned for B and granted: " + held);
    TestProbe<EpochLedger.PromiseResult> promised = kit.createTestProbe();
    ledger.tell(new EpochLedger.Promise("web", 3, "B", promised.getRef()));
    assertFalse(promised.receiveMessage().promised(), "not counted in a promise round within the blackout");
    ledger.tell(new EpochLedger.Promise("web", 4, "C", promised.getRef()));
    assertFalse(promised.receiveMessage().promised());
  }
}
