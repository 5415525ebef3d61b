package io.vipkeeper.pcap;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The announcement token bucket on a manual clock. */
class FramePacerTest {

  @Test
  void aBurstGoesAtOnceThenFramesAreSpacedAtTheRate() {
    long[] now = {0};
    FramePacer pacer = new FramePacer(1000, 3, () -> now[0]);
    assertEquals(0, pacer.take());
    assertEquals(0, pacer.take());
    assertEquals(0, pacer.take());
    assertEquals(1_000_000, pacer.take(), "the fourth waits one frame's time (1 ms at 1000/s)");
    assertEquals(2_000_000, pacer.take(), "the fifth two");
    now[0] = 10_000_000_000L;
    assertEquals(0, pacer.take(), "after a pause the bucket is full again, not more than full");
    assertEquals(0, pacer.take());
    assertEquals(0, pacer.take());
    assertTrue(pacer.take() > 0, "a bucket refills to the burst, no further");
  }
}
