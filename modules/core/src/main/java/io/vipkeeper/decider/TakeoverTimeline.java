package io.vipkeeper.decider;

import io.vipkeeper.TakeoverPath;
import io.vipkeeper.VipEvent;
import java.util.Locale;

/**
 * One placement of a group, phase by phase: which path it took and how long detection, the
 * promise round, the lease wait, the release on the old holder (ordered and confirmed) and the claim
 * (a wait for a quiet holder's lease, then lease grant, address, first announcement) took.
 */
final class TakeoverTimeline {

  private final TakeoverPath path;
  private final String from;
  private final long detectionNanos;
  private final long start = System.nanoTime();
  private long promiseStart;
  private long promiseEnd;
  private long waitEnd;
  private long releaseEnd;

  TakeoverTimeline(TakeoverPath path, String from, long detectionNanos) {
    this.path = path;
    this.from = from;
    this.detectionNanos = detectionNanos;
  }

  static TakeoverTimeline initial() {
    return new TakeoverTimeline(TakeoverPath.DECIDER_START, "-", 0);
  }

  void promising() {
    promiseStart = System.nanoTime();
  }

  void promised() {
    promiseEnd = waitEnd = System.nanoTime();
  }

  void waited() {
    waitEnd = System.nanoTime();
  }

  /** The old holders confirmed (or went quiet): what follows is the claim. */
  void released() {
    releaseEnd = System.nanoTime();
  }

  TakeoverPath path() {
    return path;
  }

  /** The finished takeover, for the log line, the event stream and the status view. */
  VipEvent.Takeover done(String group, String to, long epoch) {
    long now = System.nanoTime();
    return new VipEvent.Takeover(group, path, from, to, epoch, ms(detectionNanos + now - start), System.currentTimeMillis(),
        ms(detectionNanos), ms(promiseEnd - promiseStart), ms(waitEnd - promiseEnd), ms(releaseEnd == 0 ? 0 : releaseEnd - waitEnd),
        ms(now - Math.max(waitEnd, releaseEnd)));
  }

  /** The TAKEOVER log line's fields. */
  static String describe(VipEvent.Takeover t) {
    return String.format(Locale.ROOT,
        "path=%s from=%s to=%s epoch=%d detection=%d ms promise=%d ms lease-wait=%d ms release=%d ms claim=%d ms total=%d ms",
        t.path().label(), t.from(), t.to(), t.epoch(), t.detectionMillis(), t.promiseMillis(), t.leaseWaitMillis(), t.releaseMillis(), t.claimMillis(),
        t.totalMillis());
  }

  private static long ms(long nanos) {
    return Math.max(0, nanos) / 1_000_000;
  }
}
