package io.vipkeeper.decider;

import io.vipkeeper.TakeoverPath;
import io.vipkeeper.VipEvent;
import java.util.Locale;

/**
 * One placement of a group, phase by phase: which path it took and how long detection, the
 * promise round, the lease wait and the claim (lease grant, address, first announcement) took.
 */
final class TakeoverTimeline {

  private final TakeoverPath path;
  private final String from;
  private final long detectionNanos;
  private final long start = System.nanoTime();
  private long promiseStart;
  private long promiseEnd;
  private long waitEnd;

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

  TakeoverPath path() {
    return path;
  }

  /** The finished takeover, for the log line, the event stream and the status view. */
  VipEvent.Takeover done(String group, String to, long epoch) {
    long now = System.nanoTime();
    return new VipEvent.Takeover(group, path, from, to, epoch, ms(detectionNanos + now - start), System.currentTimeMillis(),
        ms(detectionNanos), ms(promiseEnd - promiseStart), ms(waitEnd - promiseEnd), ms(now - waitEnd));
  }

  /** The TAKEOVER log line's fields. */
  static String describe(VipEvent.Takeover t) {
    return String.format(Locale.ROOT,
        "path=%s from=%s to=%s epoch=%d detection=%d ms promise=%d ms lease-wait=%d ms claim=%d ms total=%d ms",
        t.path().label(), t.from(), t.to(), t.epoch(), t.detectionMillis(), t.promiseMillis(), t.leaseWaitMillis(), t.claimMillis(),
        t.totalMillis());
  }

  private static long ms(long nanos) {
    return Math.max(0, nanos) / 1_000_000;
  }
}
