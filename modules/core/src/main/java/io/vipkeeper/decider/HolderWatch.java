package io.vipkeeper.decider;

import io.vipkeeper.TakeoverPath;
import java.time.Duration;
import java.util.Optional;

/**
 * While a group has a holder, what the membership and the lease watch say about it: nothing, place
 * it again (it left), or suspect it (unreachable, or its renewals stopped reaching this node).
 * Plain Java: the actor only feeds it what it saw.
 */
final class HolderWatch {

  private HolderWatch() {}

  sealed interface Verdict {}

  /** Survey and place the group again, taking {@code path}. */
  record PlaceAgain(TakeoverPath path) implements Verdict {}

  /** No longer trusted: place it elsewhere, fenced; detected {@code detectionNanos} after the last sign of life. */
  record Suspect(String why, long detectionNanos) implements Verdict {}

  /** The holder's membership as the decider sees it. */
  static Optional<Verdict> membership(boolean member, boolean leavingOrExiting, boolean reachable, boolean onDecidersNode) {
    if (!member) return Optional.of(new PlaceAgain(TakeoverPath.REMOVED));
    if (leavingOrExiting) return Optional.of(new PlaceAgain(TakeoverPath.MOVE));
    if (!reachable && !onDecidersNode) return Optional.of(new Suspect("unreachable (failure detector)", 0));
    return Optional.empty();
  }

  /**
   * This node's ledger last saw the holder renew {@code sinceNanos} ago (-1: never, then counted
   * from the placement, {@code placedNanosAgo}).
   */
  static Optional<Verdict> renewal(long sinceNanos, long placedNanosAgo, Duration suspectAfter) {
    long since = sinceNanos >= 0 ? sinceNanos : placedNanosAgo;
    if (since < suspectAfter.toNanos()) return Optional.empty();
    return Optional.of(new Suspect("no lease renewal seen for " + since / 1_000_000 + " ms", since));
  }
}
