package io.vipkeeper.pcap;

import java.util.function.LongSupplier;

/**
 * A token bucket for outgoing frames: up to {@code burst} at once, then {@code perSecond}. A group
 * of a few addresses never waits; a takeover of hundreds is spread out instead of flooding the
 * switch. Nobody waits on it: a sender that gets no tokens sends the rest later.
 */
public final class FramePacer {

  private final double perNano;
  private final double burst;
  private final LongSupplier clock;
  private double tokens;
  private long last;

  public FramePacer(int perSecond, int burst, LongSupplier clock) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.last = clock.getAsLong();
  }

  /** Takes {@code frames} tokens if there are that many now (true); otherwise takes none. */
  public synchronized boolean tryTake(int frames) {
    long now = clock.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens < frames && tokens < burst) return false; // more than a burst goes once the bucket is full
    tokens -= frames;
    return true;
  }
}
