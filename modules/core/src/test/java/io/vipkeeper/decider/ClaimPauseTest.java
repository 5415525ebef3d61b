package io.vipkeeper.decider;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Claims that keep failing are retried less and less often, up to 10 s apart. */
class ClaimPauseTest {

  @Test
  void thePauseDoublesPerFailureInARowUpToTenSeconds() {
    Duration retry = Duration.ofSeconds(1);
    assertEquals(retry, Decider.claimPause(retry, 0));
    assertEquals(retry, Decider.claimPause(retry, 1));
    assertEquals(Duration.ofSeconds(2), Decider.claimPause(retry, 2));
    assertEquals(Duration.ofSeconds(8), Decider.claimPause(retry, 4));
    assertEquals(Duration.ofSeconds(10), Decider.claimPause(retry, 5));
    assertEquals(Duration.ofSeconds(10), Decider.claimPause(retry, 60), "no overflow after many failures");
  }
}
