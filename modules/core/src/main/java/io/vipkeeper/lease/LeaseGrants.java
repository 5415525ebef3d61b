package io.vipkeeper.lease;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A node's side as a grantor, on its own monotonic clock: it grants a renewal only for an epoch
 * at least as new as the newest it promised, and remembers per group how far its latest grant
 * reaches. A decider that got the next epoch promised waits out the longest of those reaches:
 * any lease a holder can still count on was granted by one of the promising nodes.
 */
public final class LeaseGrants {

  private final LongSupplier clock;
  private final Map<String, Long> backedUntil = new HashMap<>();
  private final Map<String, Long> lastGrant = new HashMap<>();
  private final Map<String, Long> grantedEpoch = new HashMap<>();

  public LeaseGrants(LongSupplier clock) {
    this.clock = clock;
  }

  /** Grants (and records) a renewal of {@code epoch} when no newer epoch was promised. */
  public boolean renew(String group, long epoch, long promised, long durationNanos) {
    if (epoch < promised) return false;
    long now = clock.getAsLong();
    backedUntil.merge(group, now + durationNanos, (a, b) -> b - a > 0 ? b : a);
    lastGrant.put(group, now);
    grantedEpoch.merge(group, epoch, Math::max);
    return true;
  }

  /**
   * The holder of {@code epoch} released the group and says so: what was granted to it no longer
   * backs anything. Ignored when a newer epoch has been granted here since.
   */
  public void renounce(String group, long epoch) {
    if (grantedEpoch.getOrDefault(group, 0L) > epoch) return;
    backedUntil.remove(group);
  }

  /** Reported when nothing was ever granted here for a group. */
  public static final long NEVER = Long.MIN_VALUE / 4;

  /**
   * Nanoseconds a lease granted here for {@code group} may still run: negative once it has run
   * out (by that much), {@link #NEVER} when none was granted.
   */
  public long backedForNanos(String group) {
    Long until = backedUntil.get(group);
    return until == null ? NEVER : until - clock.getAsLong();
  }

  /** Nanoseconds since the last grant for {@code group}; -1 when none was ever granted here. */
  public long sinceLastGrantNanos(String group) {
    Long at = lastGrant.get(group);
    return at == null ? -1 : clock.getAsLong() - at;
  }

  /**
   * How long a decider must wait, from when it has the promises, before it may claim: until the
   * furthest grant has run out plus the margin (a grant that ran out less than the margin ago
   * still counts, for the holder's clock may run slower).
   */
  public static long takeoverWaitNanos(Iterable<Long> backedFor, long marginNanos) {
    long wait = 0;
    for (long b : backedFor) wait = Math.max(wait, b + marginNanos);
    return wait;
  }
}
