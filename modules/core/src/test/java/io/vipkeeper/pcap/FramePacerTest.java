package io.vipkeeper.pcap;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The announcement token bucket on a manual clock. */
class FramePacerTest {

  @Test
  void aBurstGoesAtOnceThenFramesComeAtTheRate() {
    long[] now = {0};
    FramePacer pacer = new FramePacer(1000, 3, () -> now[0]);
    assertTrue(pacer.tryTake(2));
    assertTrue(pacer.tryTake(1));
    assertFalse(pacer.tryTake(1), "the burst is spent");
    now[0] += 1_000_000;
    assertTrue(pacer.tryTake(1), "one frame's time later (1 ms at 1000/s) one more");
    assertFalse(pacer.tryTake(2), "a refusal takes nothing");
    now[0] += 2_000_000;
    assertTrue(pacer.tryTake(2));
    now[0] += 10_000_000_000L;
    assertTrue(pacer.tryTake(3), "after a pause the bucket is full again");
    assertFalse(pacer.tryTake(1), "not more than full");
  }

  @Test
  void moreThanABurstGoesOnceTheBucketIsFull() {
    long[] now = {0};
    FramePacer pacer = new FramePacer(1000, 2, () -> now[0]);
    assertTrue(pacer.tryTake(3), "an address with more forms than the burst still goes, from a full bucket");
    assertFalse(pacer.tryTake(1));
  }
}
