package io.vipkeeper.decider;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.lease.LeaseGrants;
import io.vipkeeper.membership.Quorum;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * Why an epoch is never given twice, checked over random schedules: deciders on random nodes run
 * promise rounds ({@link PromiseRound}, the real rule) against random reachable subsets of the
 * listed ledgers, members join (a new ledger is listed only after a surviving set of the others
 * told it what they promised), members restart (unlisted until they caught up again), answers are
 * lost. (A member whose journal is lost comes back as a new member; see README for what that costs.) Each epoch a round wins must be won once. Two surviving sets share a
 * member, and a newcomer learns from a surviving set before it votes: that is the whole argument.
 */
class EpochUniquenessTest {

  private static final int SCHEDULES = 400;
  private static final int STEPS = 120;

  /** One member's ledger: the highest epoch it promised (persisted), whether it is listed. */
  private static final class Ledger {
    long highest;
    boolean listed;
  }

  private record Outcome(int violations, int promised) {}

  @Test
  void anEpochIsPromisedToOneRoundOnlyUnderEveryStrategy() {
    for (Quorum quorum : List.of(new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0), new Quorum(Quorum.Strategy.STATIC_QUORUM, 3),
        new Quorum(Quorum.Strategy.KEEP_OLDEST, 0))) {
      Outcome outcome = run(quorum, (answered, others) -> quorum.survives(answered, others), 42);
      assertEquals(0, outcome.violations(), quorum.strategy() + ": an epoch was won twice");
      assertTrue(outcome.promised() > SCHEDULES, quorum.strategy() + ": rounds did win (" + outcome.promised() + ")");
    }
  }

  @Test
  void withoutTheCatchUpRuleTheCheckFindsAReuse() {
    Quorum majority = new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0);
    Outcome outcome = run(majority, (answered, others) -> true, 42);
    assertTrue(outcome.violations() > 0, "a newcomer listed without learning from a surviving set must lead to reuse");
  }

  private Outcome run(Quorum quorum, BiPredicate<Set<String>, List<Quorum.Voter>> catchUp, long seed) {
    Random random = new Random(seed);
    int violations = 0;
    int promised = 0;
    for (int schedule = 0; schedule < SCHEDULES; schedule++) {
      Map<String, Ledger> ledgers = new HashMap<>();
      List<Quorum.Voter> voters = new ArrayList<>();
      int next = 1;
      for (; next <= 3; next++) join(ledgers, voters, "a" + next, next, random, catchUp, true);
      Set<Long> won = new HashSet<>();
      for (int step = 0; step < STEPS; step++) {
        int action = random.nextInt(10);
        if (action < 6) {
          long epoch = round(ledgers, voters, quorum, random);
          if (epoch > 0) {
            promised++;
            if (!won.add(epoch)) violations++;
          }
        } else if (action < 8 && voters.size() < 7) {
          join(ledgers, voters, "a" + next, next, random, catchUp, false);
          next++;
        } else if (action < 9) {
          // A member restarts: its journal kept its promises; it is listed again only after catching up.
          Quorum.Voter v = voters.get(random.nextInt(voters.size()));
          ledgers.get(v.address()).listed = false;
          catchUp(ledgers, voters, v.address(), random, catchUp);
        } else {
          // An unlisted ledger tries again.
          for (Quorum.Voter v : voters) if (!ledgers.get(v.address()).listed) catchUp(ledgers, voters, v.address(), random, catchUp);
        }
      }
    }
    return new Outcome(violations, promised);
  }

  /** A decider's round: proposes one above what a random subset told it, asks a random reachable subset of the listed ledgers. */
  private long round(Map<String, Ledger> ledgers, List<Quorum.Voter> voters, Quorum quorum, Random random) {
    long seen = 0;
    for (Quorum.Voter v : voters) if (random.nextBoolean()) seen = Math.max(seen, ledgers.get(v.address()).highest);
    long proposed = seen + 1;
    for (int attempt = 1; attempt <= 3; attempt++) {
      Set<String> asked = new HashSet<>();
      for (Quorum.Voter v : voters) if (ledgers.get(v.address()).listed && random.nextInt(4) > 0) asked.add(v.address());
      PromiseRound round = new PromiseRound(attempt, proposed, attempt, asked);
      for (String address : asked) {
        Ledger ledger = ledgers.get(address);
        boolean promise = proposed > ledger.highest;
        if (promise) ledger.highest = proposed;
        round.answered(address, random.nextInt(10) == 0 ? null // the answer was lost (the promise may still have been made)
            : new EpochLedger.PromiseResult("g", proposed, address, promise, ledger.highest, LeaseGrants.NEVER));
      }
      PromiseRound.Outcome outcome = round.outcome(quorum, voters, 0, 3);
      if (outcome instanceof PromiseRound.Promised p) return p.epoch();
      if (!(outcome instanceof PromiseRound.Outbid outbid)) return 0;
      proposed = outbid.next();
    }
    return 0;
  }

  private void join(Map<String, Ledger> ledgers, List<Quorum.Voter> voters, String address, int upNumber, Random random,
      BiPredicate<Set<String>, List<Quorum.Voter>> catchUp, boolean founding) {
    voters.add(new Quorum.Voter(address, upNumber));
    ledgers.put(address, new Ledger());
    if (founding) ledgers.get(address).listed = true; // the first members start together with nothing promised
    else catchUp(ledgers, voters, address, random, catchUp);
  }

  /** A random subset of the other members' ledgers answers; listed only if the rule says that is enough. */
  private void catchUp(Map<String, Ledger> ledgers, List<Quorum.Voter> voters, String self, Random random,
      BiPredicate<Set<String>, List<Quorum.Voter>> rule) {
    Ledger ledger = ledgers.get(self);
    List<Quorum.Voter> others = voters.stream().filter(v -> !v.address().equals(self)).toList();
    Set<String> answered = new HashSet<>();
    for (Quorum.Voter v : others) {
      if (ledgers.get(v.address()).listed && random.nextBoolean()) {
        answered.add(v.address());
        ledger.highest = Math.max(ledger.highest, ledgers.get(v.address()).highest);
      }
    }
    ledger.listed = others.isEmpty() || rule.test(answered, others);
  }
}
