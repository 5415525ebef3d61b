package io.vipkeeper.decider;

import io.vipkeeper.lease.LeaseGrants;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.membership.Quorum;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One round asking the ledgers to promise epoch {@code proposed}: who was asked and waited for,
 * who promised, the highest epoch any knows and how far each one's latest lease grant reaches.
 * Plain Java: the round's outcome is a function of the answers.
 */
final class PromiseRound {

  sealed interface Outcome {}

  /** A surviving set promised; a silent holder's lease may run {@code fenceNanos} more. */
  record Promised(long epoch, long fenceNanos) implements Outcome {}

  /** Another decider got there first: try again with {@code next}. */
  record Outbid(long next) implements Outcome {}

  record Refused(String reason) implements Outcome {}

  /**
   * Only ledgers that abstained lately (a node that just joined) kept the epoch from a surviving
   * set: ask for the same epoch again once they vote, {@code nanos} from now. The ledgers that
   * promised it answer again for the same target; trying the next epoch at once only burned epochs.
   */
  record Postponed(long nanos) implements Outcome {}

  final int id;
  final long proposed;
  final int attempt;
  private final Set<String> asked;
  private final Set<String> pending;
  private final Set<String> promisedBy = new HashSet<>();
  private final List<Long> backedFor = new ArrayList<>();
  private long highest;
  /** Ledgers that refused only because they abstained lately, and the longest wait until they vote. */
  private final Set<String> abstaining = new HashSet<>();
  private long votesInNanos;

  PromiseRound(int id, long proposed, int attempt, Set<String> asked) {
    this.id = id;
    this.proposed = proposed;
    this.attempt = attempt;
    this.asked = Set.copyOf(asked);
    this.pending = new HashSet<>(asked);
    this.highest = proposed - 1;
  }

  /**
   * Why no round may start now, if so: this side would not survive a split (its epochs would only
   * end the real holder's lease after the heal). A member whose ledger is not listed (starting,
   * catching up, broken) is not waited for: the promise needs a surviving set, and any two
   * surviving sets share a member (see README "Epochs from quorum intersection").
   */
  static Optional<String> blocked(List<Quorum.Voter> voters, Predicate<String> reachable, Set<String> suspects, Quorum quorum) {
    List<String> side = voters.stream().map(Quorum.Voter::address).filter(a -> reachable.test(a) && !suspects.contains(a)).toList();
    if (!quorum.survives(side, voters)) {
      return Optional.of("this side of the cluster (" + side.size() + " of " + voters.size() + " members) would not survive a split");
    }
    return Optional.empty();
  }

  /** {@code result} null: the ledger did not answer in time. */
  void answered(String node, EpochLedger.PromiseResult result) {
    pending.remove(node);
    if (result == null) return;
    if (result.promised()) promisedBy.add(node);
    if (!result.promised() && result.votesInNanos() > 0) {
      abstaining.add(node);
      votesInNanos = Math.max(votesInNanos, result.votesInNanos());
    }
    highest = Math.max(highest, result.highest());
    backedFor.add(result.backedForNanos());
  }

  /** Every asked ledger answered, or its one bounded ask timed out: a slow or broken one holds nothing up. */
  boolean done() {
    return pending.isEmpty();
  }

  /**
   * The round can end: every answer is in, or a surviving set promised already. The others are not
   * waited for (on a planned stop the slowest was the target's ledger, on a JVM restarted moments
   * before, or the stopping node's): safety needs only that set, which shares a member with any
   * set that granted the old holder a lease (and so covers its furthest grant), and the rest learn
   * the epoch from the decider's share after the claim and from the new holder's renewals. Tried
   * before the target guarded its addresses ahead, this made the clients' gap longer: the release
   * outran the prepared lease round, whose fence call then came in the gap.
   */
  boolean decided(Quorum quorum, List<Quorum.Voter> voters) {
    return done() || quorum.survives(promisedBy, voters);
  }

  Outcome outcome(Quorum quorum, List<Quorum.Voter> voters, long driftMarginNanos, int maxAttempts) {
    if (quorum.survives(promisedBy, voters)) return new Promised(proposed, LeaseGrants.takeoverWaitNanos(backedFor, driftMarginNanos));
    Set<String> would = new HashSet<>(promisedBy);
    would.addAll(abstaining);
    if (!abstaining.isEmpty() && quorum.survives(would, voters) && attempt < maxAttempts) return new Postponed(votesInNanos);
    boolean outbid = highest >= proposed && !promisedBy.containsAll(asked);
    if (outbid && attempt < maxAttempts) return new Outbid(highest + 1);
    return new Refused("epoch " + proposed + " was promised by " + promisedBy.size() + " node(s), not by a set that would survive a split");
  }
}
