package io.vipkeeper.decider;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.TakeoverPath;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.lease.LeaseGrants;
import io.vipkeeper.membership.MembershipView;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.model.NodeIdentity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The decider's rounds as plain Java: the survey's reading, the promise's outcome, the lease fence, the release, the holder watch. */
class DeciderRoundsTest {

  private static final String A1 = "pekko://vipkeeper@198.18.0.11:25520";
  private static final String A2 = "pekko://vipkeeper@198.18.0.12:25520";
  private static final String A3 = "pekko://vipkeeper@198.18.0.13:25520";
  private static final NodeIdentity N1 = new NodeIdentity("n1", A1);
  private static final NodeIdentity N2 = new NodeIdentity("n2", A2);
  private static final NodeIdentity N3 = new NodeIdentity("n3", A3);
  private static final List<Quorum.Voter> VOTERS = List.of(new Quorum.Voter(A1, 1), new Quorum.Voter(A2, 2), new Quorum.Voter(A3, 3));
  private static final Quorum MAJORITY = new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0);

  /** All three are members, Up and reachable unless listed as down; n1 is oldest. */
  private static MembershipView view(Set<String> down) {
    return new MembershipView() {
      public boolean isMember(String a) {
        return true;
      }

      public boolean isUpAndReachable(String a) {
        return !down.contains(a);
      }

      public int age(String a) {
        return a.equals(A1) ? 1 : a.equals(A2) ? 2 : 3;
      }

      public Set<String> roles(String a) {
        return Set.of("dc-" + a.charAt(a.length() - 7));
      }
    };
  }

  private static InterfaceActor.Holdings holds(NodeIdentity n, Map<String, Long> held, long highest, boolean canClaim) {
    return new InterfaceActor.Holdings(n, held, Map.of("web", highest), canClaim, 1.0, Map.of(), "");
  }

  @Test
  void aSurveyReadsHoldersCandidatesAndSilentNodes() {
    SurveyRound survey = new SurveyRound(1, Set.of(A1, A2, A3), Set.of(A1, A2, A3));
    survey.answered(A3, holds(N3, Map.of(), 7, true));
    survey.answered(A2, holds(N2, Map.of("web", 6L), 6, true));
    assertFalse(survey.done(), "n1 has not answered");
    survey.departed(a -> !a.equals(A1));
    assertTrue(survey.done(), "a removed member is not waited for");

    assertEquals(Map.of(N2, 6L), survey.holders("web"));
    assertEquals(7, survey.highestEpoch("web", 5));
    assertEquals(9, survey.highestEpoch("web", 9), "the decider's own epoch counts too");
    Placement.Situation s = survey.situation("web", view(Set.of()), N1, Optional.empty(), Set.of("n3"),
        Map.of(A2, Duration.ofSeconds(4)), A3);
    assertEquals(List.of(N2, N3), s.candidates(), "oldest first");
    assertEquals(1, s.silent(), "n1 is listed but did not answer");
    assertEquals(Set.of(N3), s.drained());
    assertEquals(Optional.of(N3), s.requested());
    assertEquals(Duration.ofSeconds(4), s.healthyFor().get(N2));
  }

  @Test
  void whileNobodyHoldsTheGroupAnUpNodeThatDidNotAnswerIsUnheard() {
    SurveyRound survey = new SurveyRound(1, Set.of(A1, A2), Set.of(A1, A2));
    survey.answered(A1, holds(N1, Map.of(), 0, true));
    survey.answered(A2, null);
    List<String> voters = List.of(A1, A2, A3);
    assertEquals(List.of(A2, A3), survey.unheard("web", voters, view(Set.of()), Set.of()), "n2 silent, n3 not listed");
    assertEquals(List.of(A2), survey.unheard("web", voters, view(Set.of(A3)), Set.of()), "n3 is not Up");
    assertEquals(List.of(A3), survey.unheard("web", voters, view(Set.of()), Set.of(A2)), "a suspect is not waited for");

    SurveyRound held = new SurveyRound(2, Set.of(A1, A2, A3), Set.of(A1, A2, A3));
    held.answered(A1, holds(N1, Map.of("web", 3L), 3, true));
    assertEquals(List.of(), held.unheard("web", voters, view(Set.of()), Set.of()), "someone holds it: no need to wait");
  }

  @Test
  void aPromiseEndsWithTheFirstSurvivingSetThatPromised() {
    PromiseRound round = new PromiseRound(1, 5, 1, Set.of(A1, A2, A3));
    round.answered(A1, new EpochLedger.PromiseResult("web", 5, "n1", true, 5, 200_000_000));
    assertFalse(round.decided(MAJORITY, VOTERS), "one of three is no surviving set");
    round.answered(A2, new EpochLedger.PromiseResult("web", 5, "n2", true, 5, LeaseGrants.NEVER));
    assertFalse(round.done(), "n3 has not answered");
    assertTrue(round.decided(MAJORITY, VOTERS), "a surviving set promised: n3, slow, is not waited for");
    PromiseRound.Outcome outcome = round.outcome(MAJORITY, VOTERS, 100_000_000, 3);
    assertEquals(new PromiseRound.Promised(5, 300_000_000), outcome, "the fence covers the furthest grant plus the margin");

    PromiseRound refused = new PromiseRound(2, 6, 1, Set.of(A1, A2, A3));
    refused.answered(A1, new EpochLedger.PromiseResult("web", 6, "n1", true, 6, LeaseGrants.NEVER));
    refused.answered(A2, new EpochLedger.PromiseResult("web", 6, "n2", false, 7, LeaseGrants.NEVER));
    assertFalse(refused.decided(MAJORITY, VOTERS), "no surviving set yet: the round waits for the last answer");
    refused.answered(A3, null);
    assertTrue(refused.decided(MAJORITY, VOTERS));
    assertEquals(new PromiseRound.Outbid(8), refused.outcome(MAJORITY, VOTERS, 0, 3));
  }

  @Test
  void anOutbidPromiseTriesTheNextEpochThenGivesUp() {
    PromiseRound round = new PromiseRound(1, 5, 1, Set.of(A1, A2));
    round.answered(A1, new EpochLedger.PromiseResult("web", 5, "n1", false, 8, 0));
    round.answered(A2, new EpochLedger.PromiseResult("web", 5, "n2", false, 8, 0));
    assertEquals(new PromiseRound.Outbid(9), round.outcome(MAJORITY, VOTERS, 0, 3));
    PromiseRound last = new PromiseRound(2, 9, 3, Set.of(A1, A2));
    last.answered(A1, new EpochLedger.PromiseResult("web", 9, "n1", false, 10, 0));
    last.answered(A2, new EpochLedger.PromiseResult("web", 9, "n2", true, 9, 0));
    assertInstanceOf(PromiseRound.Refused.class, last.outcome(MAJORITY, VOTERS, 0, 3), "one of three promised, attempts used up");
  }

  /**
   * A crash two seconds after another node rejoined: that node's ledger still abstains. The round
   * asks for the same epoch again once it votes, instead of burning the next ones at the ledgers
   * that promised (and then waiting out claim-retry with the dead holder no longer suspected).
   */
  @Test
  void aRoundHeldUpOnlyByLedgersThatJustJoinedIsPostponedForTheSameEpoch() {
    PromiseRound round = new PromiseRound(1, 8, 1, Set.of(A1, A2));
    round.answered(A1, new EpochLedger.PromiseResult("web", 8, "n1", true, 8, LeaseGrants.NEVER));
    round.answered(A2, new EpochLedger.PromiseResult("web", 8, "n2", false, 7, LeaseGrants.NEVER, 300_000_000));
    assertEquals(new PromiseRound.Postponed(300_000_000), round.outcome(MAJORITY, VOTERS, 0, 3));
    PromiseRound last = new PromiseRound(2, 8, 3, Set.of(A1, A2));
    last.answered(A1, new EpochLedger.PromiseResult("web", 8, "n1", true, 8, LeaseGrants.NEVER));
    last.answered(A2, new EpochLedger.PromiseResult("web", 8, "n2", false, 7, LeaseGrants.NEVER, 300_000_000));
    assertInstanceOf(PromiseRound.Refused.class, last.outcome(MAJORITY, VOTERS, 0, 3), "attempts used up");
    PromiseRound tooFew = new PromiseRound(3, 8, 1, Set.of(A2));
    tooFew.answered(A2, new EpochLedger.PromiseResult("web", 8, "n2", false, 7, LeaseGrants.NEVER, 300_000_000));
    assertInstanceOf(PromiseRound.Refused.class, tooFew.outcome(MAJORITY, VOTERS, 0, 3), "even with n2 no surviving set");
  }

  @Test
  void noRoundStartsOnALosingSideButAnUnlistedLedgerHoldsNothingUp() {
    assertTrue(PromiseRound.blocked(VOTERS, a -> a.equals(A1), Set.of(), MAJORITY).orElseThrow().contains("would not survive a split"));
    assertTrue(PromiseRound.blocked(VOTERS, a -> true, Set.of(A2, A3), MAJORITY).isPresent(), "suspects do not count for this side");
    assertEquals(Optional.empty(), PromiseRound.blocked(VOTERS, a -> !a.equals(A3), Set.of(), MAJORITY));
    PromiseRound round = new PromiseRound(1, 4, 1, Set.of(A1, A2)); // n3's ledger is not listed (broken): not asked
    round.answered(A1, new EpochLedger.PromiseResult("web", 4, "n1", true, 4, LeaseGrants.NEVER));
    round.answered(A2, new EpochLedger.PromiseResult("web", 4, "n2", true, 4, LeaseGrants.NEVER));
    assertEquals(new PromiseRound.Promised(4, 0), round.outcome(MAJORITY, VOTERS, 100_000_000, 3), "two of three promised");
  }

  @Test
  void theLeaseFenceWaitsOutTheFurthestGrantButEndsEarlyWhenItWasRenounced() {
    long ms = 1_000_000;
    LeaseFence first = new LeaseFence(1, 0, Set.of(A1, A2));
    first.answered(A1, new EpochLedger.Backing("n1", 300 * ms));
    first.answered(A2, new EpochLedger.Backing("n2", LeaseGrants.NEVER));
    LeaseFence.Step step = first.next(1_000 * ms, 100 * ms, 900 * ms, 0);
    assertEquals(new LeaseFence.LookAgain(50 * ms, 1_400 * ms, false), step, "poll again in 50 ms, never past 400 ms from now");

    LeaseFence renounced = new LeaseFence(2, 1_400 * ms, Set.of(A1, A2));
    renounced.answered(A1, new EpochLedger.Backing("n1", LeaseGrants.NEVER));
    renounced.answered(A2, new EpochLedger.Backing("n2", -500 * ms));
    assertEquals(LeaseFence.ClaimNow.INSTANCE, renounced.next(1_050 * ms, 100 * ms, 900 * ms, 0));

    LeaseFence silent = new LeaseFence(3, 0, Set.of(A1));
    silent.answered(A1, null);
    assertEquals(new LeaseFence.LookAgain(50 * ms, 1_350 * ms, false), silent.next(1_000 * ms, 100 * ms, 900 * ms, 450 * ms),
        "a ledger that does not answer keeps the wait computed at the promise");
  }

  @Test
  void aReleaseThatIsRefusedStopsTheMoveAndAQuietNodeIsWaitedOut() {
    ReleaseRound refused = new ReleaseRound(List.of(N2));
    assertInstanceOf(ReleaseRound.Refused.class, refused.answered(N2, false, true, "kernel said no"));

    ReleaseRound two = new ReleaseRound(List.of(N2, N3));
    assertEquals(ReleaseRound.Waiting.INSTANCE, two.answered(N2, true, true, ""));
    assertEquals(new ReleaseRound.Released(true), two.answered(N3, false, false, "no answer"));
    ReleaseRound clean = new ReleaseRound(List.of(N2));
    assertEquals(new ReleaseRound.Released(false), clean.answered(N2, true, true, ""));
  }

  @Test
  void theHolderWatchMovesAGroupOffAHolderThatLeftOrWentQuiet() {
    assertEquals(Optional.of(new HolderWatch.PlaceAgain(TakeoverPath.REMOVED)), HolderWatch.membership(false, false, true, false));
    assertEquals(Optional.of(new HolderWatch.PlaceAgain(TakeoverPath.MOVE)), HolderWatch.membership(true, true, true, false));
    assertInstanceOf(HolderWatch.Suspect.class, HolderWatch.membership(true, false, false, false).orElseThrow());
    assertEquals(Optional.empty(), HolderWatch.membership(true, false, false, true), "the decider's own node is never suspected");
    assertEquals(Optional.empty(), HolderWatch.renewal(400_000_000, 0, Duration.ofMillis(500)));
    assertEquals(Optional.of(new HolderWatch.Suspect("no lease renewal seen for 600 ms", 600_000_000)),
        HolderWatch.renewal(600_000_000, 0, Duration.ofMillis(500)));
    assertInstanceOf(HolderWatch.Suspect.class, HolderWatch.renewal(-1, 700_000_000, Duration.ofMillis(500)).orElseThrow(),
        "never renewed: counted from the placement");
  }

  @Test
  void theCandidateClockRestartsWhenANodeDropsOut() {
    long[] now = {0};
    CandidateClock clock = new CandidateClock(() -> now[0]);
    clock.update(List.of(A1, A2));
    now[0] = 5_000_000_000L;
    assertEquals(Duration.ofSeconds(5), clock.update(List.of(A1)).get(A1));
    now[0] = 6_000_000_000L;
    Map<String, Duration> back = clock.update(List.of(A1, A2));
    assertEquals(Duration.ofSeconds(6), back.get(A1));
    assertEquals(Duration.ZERO, back.get(A2), "n2 was not a candidate at 5 s: its time starts again");
  }

  /** A round with no ledger to ask (a singleton that just moved, its own ledger not listed yet) is over at once, refused. */
  @Test
  void aPromiseRoundWithNobodyToAskEndsAtOnceRefused() {
    PromiseRound nobody = new PromiseRound(1, 5, 1, Set.of());
    assertTrue(nobody.done(), "no answer will ever come: the decider must not wait for one");
    PromiseRound.Outcome outcome = nobody.outcome(MAJORITY, VOTERS, 0, 3);
    PromiseRound.Refused refused = assertInstanceOf(PromiseRound.Refused.class, outcome);
    assertTrue(refused.reason().contains("promised by 0 node(s)"), refused.reason());
  }
}
