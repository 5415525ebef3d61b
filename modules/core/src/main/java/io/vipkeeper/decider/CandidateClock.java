package io.vipkeeper.decider;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/** Since when each node has been a candidate without a break, for a preempt-delay. */
final class CandidateClock {

  private final LongSupplier clock;
  private final Map<String, Long> since = new HashMap<>();

  CandidateClock(LongSupplier clock) {
    this.clock = clock;
  }

  /** Forgets nodes that are no longer candidates and says how long each current one has been. */
  Map<String, Duration> update(Collection<String> candidates) {
    long now = clock.getAsLong();
    since.keySet().retainAll(candidates);
    Map<String, Duration> result = new HashMap<>();
    for (String c : candidates) result.put(c, Duration.ofNanos(now - since.computeIfAbsent(c, a -> now)));
    return result;
  }
}
