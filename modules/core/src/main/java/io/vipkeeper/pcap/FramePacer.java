package io.vipkeeper.pcap;

import java.util.function.LongSupplier;

/**
 * A token bucket for outgoing frames: up to {@code burst} at once, then {@code perSecond}. A group
 * of a few addresses never waits; a takeover of hundreds is spread out instead of flooding the
 * switch.
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

  /** Takes one frame's token; returns how long the caller must wait before sending it (0: now). */
  public synchronized long take() {
    long now = clock.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) (-tokens / perNano);
  }
}
