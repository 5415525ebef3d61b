package io.vipkeeper.decider;

import io.vipkeeper.lease.LeaseGrants;
import io.vipkeeper.ledger.EpochLedger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A holder went quiet instead of confirming its release: the claim elsewhere waits until no lease
 * the reachable ledgers granted can still run. A holder that did release renounced its lease with
 * them a moment later, so the ledgers are polled and the wait ends early; one that did not is
 * waited out. A ledger that does not answer keeps the wait computed at the promise. One poll.
 */
final class LeaseFence {

  /** How often the ledgers are asked again while a wait lasts. */
  static final long POLL_NANOS = 50_000_000;

  sealed interface Step {}

  enum ClaimNow implements Step { INSTANCE }

  /** Wait {@code nanos}, then claim if {@code last}, else poll again with {@code deadline}. */
  record LookAgain(long nanos, long deadline, boolean last) implements Step {}

  final int id;
  private final long deadline;
  private final Set<String> pending;
  private final List<Long> backed = new ArrayList<>();
  private boolean unknown;

  /** {@code deadline} 0: the first poll, which sets one. */
  LeaseFence(int id, long deadline, Set<String> asked) {
    this.id = id;
    this.deadline = deadline;
    this.pending = new HashSet<>(asked);
  }

  void answered(String node, EpochLedger.Backing backing) {
    pending.remove(node);
    if (backing == null) unknown = true;
    else backed.add(backing.backedForNanos());
  }

  boolean done() {
    return pending.isEmpty();
  }

  /** From the answers: claim now, or how long to wait and whether to look again after it. */
  Step next(long now, long driftMarginNanos, long promisedAt, long fenceNanos) {
    long wait = LeaseGrants.takeoverWaitNanos(backed, driftMarginNanos);
    if (unknown || backed.isEmpty()) wait = Math.max(wait, fenceNanos - (now - promisedAt));
    long until = deadline != 0 ? Math.min(deadline, now + wait) : now + wait;
    if (wait <= 0 || until - now <= 0) return ClaimNow.INSTANCE;
    long next = Math.min(until - now, POLL_NANOS);
    return new LookAgain(next, until, now + next - until >= 0);
  }
}
