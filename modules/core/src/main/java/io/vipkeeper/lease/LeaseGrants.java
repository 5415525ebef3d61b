package io.vipkeeper.lease;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * A node's side as a grantor, on its own monotonic clock: it grants a renewal only for an epoch
 * at least as new as the newest it promised, and remembers per group how far its latest grant
 * reaches. A decider that got the next epoch promised waits out the longest of those reaches:
 * any lease a holder can still count on was granted by one of the promising nodes.
 */
public final class LeaseGrants {

  private final LongSupplier clock;
  /**
   * Per group, how far the grants of each epoch reach: a decider fencing epoch N waits only for
   * the leases of older epochs, not for the lease its own target takes while the move is under way.
   */
  private final Map<String, NavigableMap<Long, Long>> backedUntil = new HashMap<>();
  /** Grants that ran out this long ago are forgotten: no decider waits for them any more. */
  private static final long FORGOTTEN_AFTER_NANOS = 60_000_000_000L;
  private final Map<String, Long> lastGrant = new HashMap<>();

  public LeaseGrants(LongSupplier clock) {
    this.clock = clock;
  }

  /** Grants (and records) a renewal of {@code epoch} when no newer epoch was promised. */
  public boolean renew(String group, long epoch, long promised, long durationNanos) {
    if (epoch < promised) return false;
    long now = clock.getAsLong();
    NavigableMap<Long, Long> byEpoch = backedUntil.computeIfAbsent(group, g -> new TreeMap<>());
    byEpoch.merge(epoch, now + durationNanos, (a, b) -> b - a > 0 ? b : a);
    byEpoch.headMap(epoch, false).values().removeIf(until -> now - until > FORGOTTEN_AFTER_NANOS);
    lastGrant.put(group, now);
    return true;
  }

  /**
   * The holder of {@code epoch} released the group and says so: what was granted to it (and to
   * older epochs) no longer backs anything; a newer epoch's grants stay.
   */
  public void renounce(String group, long epoch) {
    NavigableMap<Long, Long> byEpoch = backedUntil.get(group);
    if (byEpoch != null) byEpoch.headMap(epoch, true).clear();
  }

  /** Reported when nothing was ever granted here for a group. */
  public static final long NEVER = Long.MIN_VALUE / 4;

  /**
   * Nanoseconds a lease granted here for {@code group} may still run: negative once it has run
   * out (by that much), {@link #NEVER} when none was granted.
   */
  public long backedForNanos(String group) {
    return backedForNanos(group, Long.MAX_VALUE);
  }

  /** As {@link #backedForNanos(String)}, counting only the grants of epochs older than {@code epoch}. */
  public long backedForNanos(String group, long epoch) {
    NavigableMap<Long, Long> byEpoch = backedUntil.get(group);
    if (byEpoch == null || byEpoch.headMap(epoch, false).isEmpty()) return NEVER;
    long now = clock.getAsLong();
    long furthest = NEVER;
    for (long until : byEpoch.headMap(epoch, false).values()) furthest = Math.max(furthest, until - now);
    return furthest;
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
