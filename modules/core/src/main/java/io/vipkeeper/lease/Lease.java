package io.vipkeeper.lease;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The holder's side of a lease, on its own monotonic clock. It is valid until the send time of
 * the latest renewal round that a surviving set granted, plus the duration: counting from the
 * send time (not the answer) keeps the holder's deadline at or before the one its grantors back.
 */
public final class Lease {

  private static final int ROUNDS_KEPT = 16;

  private final long durationNanos;
  private final LongSupplier clock;
  private final Map<Long, Long> sentAt = new HashMap<>();
  private final Map<Long, Set<String>> grants = new HashMap<>();
  private long validUntil;
  private boolean granted;

  public Lease(long durationNanos, LongSupplier clock) {
    this.durationNanos = durationNanos;
    this.clock = clock;
  }

  /** A renewal round {@code round} is being sent now. */
  public void sent(long round) {
    sentAt.put(round, clock.getAsLong());
    sentAt.keySet().removeIf(r -> r <= round - ROUNDS_KEPT);
    grants.keySet().removeIf(r -> r <= round - ROUNDS_KEPT);
  }

  /** {@code node} granted round {@code round}; true when this made the lease reach further. */
  public boolean grant(long round, String node, Predicate<Set<String>> survives) {
    if (!sentAt.containsKey(round)) return false;
    grants.computeIfAbsent(round, r -> new HashSet<>()).add(node);
    return reconsider(round, survives);
  }

  /** Round {@code round}'s grants judged again (its voters changed); true when the lease now reaches further. */
  public boolean reconsider(long round, Predicate<Set<String>> survives) {
    Long sent = sentAt.get(round);
    Set<String> by = grants.get(round);
    if (sent == null || by == null) return false;
    long until = sent + durationNanos;
    if (!survives.test(by) || (granted && until - validUntil <= 0)) return false;
    validUntil = until;
    granted = true;
    return true;
  }

  /** Whether a surviving set has granted a round and its term has not run out. */
  public boolean valid() {
    return granted && clock.getAsLong() - validUntil < 0;
  }

  /** When the lease ends, on the clock this lease was made with; meaningful once granted. */
  public long validUntilNanos() {
    return validUntil;
  }

  /** Nanoseconds left; 0 when not valid. */
  public long remainingNanos() {
    return valid() ? validUntil - clock.getAsLong() : 0;
  }
}
