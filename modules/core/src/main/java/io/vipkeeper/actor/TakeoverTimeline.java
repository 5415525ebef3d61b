package io.vipkeeper.actor;

import java.util.Locale;

/**
 * One placement of a group, phase by phase, for the TAKEOVER log line: which path it took
 * (lease: the holder stopped renewing; removed: the holder left or was downed; released: the
 * holder let go on its own; move: a planned move; drain: its holder was drained; decider-start: a
 * (new) decider found nobody holding it, as after the node running both the decider and the
 * holder failed) and how long detection, the promise round, the lease wait and the claim (lease
 * grant, address, first announcement) took.
 */
final class TakeoverTimeline {

  private final String path;
  private final String from;
  private final long detectionNanos;
  private final long start = System.nanoTime();
  private long promiseStart;
  private long promiseEnd;
  private long waitEnd;

  TakeoverTimeline(String path, String from, long detectionNanos) {
    this.path = path;
    this.from = from;
    this.detectionNanos = detectionNanos;
  }

  static TakeoverTimeline initial() {
    return new TakeoverTimeline("decider-start", "-", 0);
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

  String path() {
    return path;
  }

  String describe(String to, long epoch) {
    long now = System.nanoTime();
    return String.format(Locale.ROOT,
        "path=%s from=%s to=%s epoch=%d detection=%d ms promise=%d ms lease-wait=%d ms claim=%d ms total=%d ms",
        path, from, to, epoch, ms(detectionNanos), ms(promiseEnd - promiseStart), ms(waitEnd - promiseEnd), ms(now - waitEnd),
        ms(detectionNanos + now - start));
  }

  /** The finished takeover, for the event stream and the status view. */
  io.vipkeeper.VipEvent.Takeover done(String group, String to, long epoch) {
    return new io.vipkeeper.VipEvent.Takeover(group, path, from, to, epoch, ms(detectionNanos + System.nanoTime() - start),
        System.currentTimeMillis());
  }

  private static long ms(long nanos) {
    return Math.max(0, nanos) / 1_000_000;
  }
}
