package io.vipkeeper.decider;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.testing.TestConfigs;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One question to the local ledger for every watched group, asked again when the most silent
 * holder would reach suspect-after; a decider hears only of its own silent holder.
 */
class RenewalWatchTest {

  private static final Duration SUSPECT = Duration.ofMillis(500);
  private ActorTestKit kit;
  private TestProbe<EpochLedger.Command> ledger;
  private ActorRef<RenewalWatch.Command> watch;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("vkrw", TestConfigs.clusterNode(""));
    TestConfigs.joinSelf(kit);
    ledger = kit.createTestProbe();
    TestProbe<Receptionist.Registered> registered = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.register(EpochLedger.KEY, ledger.ref(), registered.ref()));
    registered.receiveMessage();
    watch = kit.spawn(RenewalWatch.create(Duration.ofMillis(100), SUSPECT));
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private EpochLedger.LastRenewals question() {
    return ledger.fishForMessage(Duration.ofSeconds(5), m -> m instanceof EpochLedger.LastRenewals
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).stream()
        .map(EpochLedger.LastRenewals.class::cast).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void asksOnceForAllGroupsAndTellsOnlyTheDecidersWhoseHolderWentSilent() {
    TestProbe<RenewalWatch.Suspected> web = kit.createTestProbe();
    TestProbe<RenewalWatch.Suspected> db = kit.createTestProbe();
    TestProbe<RenewalWatch.Suspected> fresh = kit.createTestProbe();
    long longAgo = System.nanoTime() - Duration.ofSeconds(10).toNanos();
    watch.tell(new RenewalWatch.Watch("web", "n2", longAgo, web.ref()));
    watch.tell(new RenewalWatch.Watch("db", "n2", longAgo, db.ref()));
    watch.tell(new RenewalWatch.Watch("fresh", "n3", System.nanoTime() + Duration.ofSeconds(60).toNanos(), fresh.ref()));
    EpochLedger.LastRenewals asked = question();
    while (asked.groups().size() < 3) {
      asked.replyTo().tell(new EpochLedger.RenewalsSeen(Map.of()));
      asked = question();
    }
    assertEquals(Set.of("web", "db", "fresh"), Set.copyOf(asked.groups()), "one question for every watched group");
    asked.replyTo().tell(new EpochLedger.RenewalsSeen(Map.of("web", 10_000_000L, "db", 900_000_000L, "fresh", -1L)));
    RenewalWatch.Suspected silent = db.receiveMessage();
    assertEquals("n2", silent.holder());
    assertEquals(900_000_000L, silent.sinceNanos());
    web.expectNoMessage(Duration.ofMillis(200));
    // Never renewed here, but placed (as far as the clock goes) later: counted from the placement, not yet suspect.
    fresh.expectNoMessage(Duration.ofMillis(1));
    assertEquals(Set.of("web", "fresh"), Set.copyOf(question().groups()), "the suspected group's watch ended with the word");
  }

  /**
   * A holder that renewed 100 ms ago is not asked about again before it could be 500 ms silent
   * (not at every renew-interval), and the question that then finds it silent suspects it.
   */
  @Test
  void asksAgainWhenTheMostSilentHolderWouldReachSuspectAfter() {
    TestProbe<RenewalWatch.Suspected> web = kit.createTestProbe();
    watch.tell(new RenewalWatch.Watch("web", "n2", System.nanoTime() - Duration.ofSeconds(10).toNanos(), web.ref()));
    EpochLedger.LastRenewals first = question();
    long answered = System.nanoTime();
    first.replyTo().tell(new EpochLedger.RenewalsSeen(Map.of("web", 100_000_000L)));
    EpochLedger.LastRenewals second = question();
    long pause = System.nanoTime() - answered;
    assertTrue(pause >= 350_000_000L, "asked again " + pause / 1_000_000 + " ms after the answer; due ~400 ms after it");
    web.expectNoMessage(Duration.ofMillis(1));
    second.replyTo().tell(new EpochLedger.RenewalsSeen(Map.of("web", 500_000_000L)));
    assertEquals("n2", web.receiveMessage().holder());
  }

  /**
   * A decider can place a group before its own node's ledger is listed; the holder renews with that
   * ledger only once it sees the listing. Until then "never renewed here" is no evidence: the
   * silence counts from the listing, not from the placement.
   */
  @Test
  void silenceCountsFromWhenThisNodesLedgerWasListed() {
    kit.system().receptionist().tell(Receptionist.deregister(EpochLedger.KEY, ledger.ref()));
    ActorRef<RenewalWatch.Command> late = kit.spawn(RenewalWatch.create(Duration.ofMillis(100), SUSPECT));
    TestProbe<RenewalWatch.Suspected> web = kit.createTestProbe();
    late.tell(new RenewalWatch.Watch("web", "n2", System.nanoTime() - Duration.ofSeconds(10).toNanos(), web.ref()));
    TestProbe<EpochLedger.Command> listedLater = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.register(EpochLedger.KEY, listedLater.ref()));
    EpochLedger.LastRenewals first = listedLater.expectMessageClass(EpochLedger.LastRenewals.class, Duration.ofSeconds(5));
    first.replyTo().tell(new EpochLedger.RenewalsSeen(Map.of("web", -1L)));
    web.expectNoMessage(Duration.ofMillis(200));
    // Past suspect-after since the listing, still nothing renewed here: now it is evidence.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      EpochLedger.LastRenewals next = listedLater.expectMessageClass(EpochLedger.LastRenewals.class, Duration.ofSeconds(2));
      next.replyTo().tell(new EpochLedger.RenewalsSeen(Map.of("web", -1L)));
      try {
        RenewalWatch.Suspected s = web.receiveMessage(Duration.ofMillis(150));
        assertEquals("n2", s.holder());
        return;
      } catch (AssertionError notYet) {
        // asked again at the next tick
      }
    }
    fail("a holder that never renewed here was never suspected");
  }
}
