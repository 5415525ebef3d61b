package io.vipkeeper.kernel;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The kernel's tick, in which nftables counts set timeouts: the resolution of the coarse monotonic
 * clock. If it cannot be read, 10 ms (HZ=100, the coarsest a kernel is built with).
 */
final class Jiffy {

  private interface LibC extends Library {
    int clock_getres(int clock, long[] timespec);
  }

  private static final int CLOCK_MONOTONIC_COARSE = 6;
  private static final long COARSEST_NANOS = 10_000_000;

  private Jiffy() {}

  static long nanos() {
    try {
      long[] timespec = new long[2];
      if (Native.load("c", LibC.class).clock_getres(CLOCK_MONOTONIC_COARSE, timespec) != 0) return COARSEST_NANOS;
      long nanos = timespec[0] * 1_000_000_000L + timespec[1];
      return nanos >= 1_000_000 ? nanos : COARSEST_NANOS;
    } catch (UnsatisfiedLinkError e) {
      return COARSEST_NANOS;
    }
  }
}
