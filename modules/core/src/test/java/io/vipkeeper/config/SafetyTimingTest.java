package io.vipkeeper.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SafetyTimingTest {

  private static Config profile(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseResources("vipkeeper-cluster.conf"))
        .withFallback(ConfigFactory.parseString("vipkeeper.data-dir = /tmp"))
        .withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void theShippedProfileIsSafe() {
    assertDoesNotThrow(() -> SafetyTiming.check(profile("")));
  }

  @Test
  void aReleaseThatCouldComeAfterTheOtherSideClaimsIsRefusedWithTheNumbers() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> SafetyTiming.check(profile("vipkeeper.release-after = 600ms")));
    assertTrue(e.getMessage().contains("unsafe timing: release-after (600 ms) + release-margin (100 ms) + acceptable-heartbeat-pause (1400 ms)"
        + " = 2100 ms must be less than split-brain-resolver.stable-after (1000 ms) + down-removal-margin (1000 ms) = 2000 ms"), e.getMessage());
    assertThrows(SettingsException.class, () -> SafetyTiming.check(profile("pekko.cluster.split-brain-resolver.stable-after = 500ms\npekko.cluster.down-removal-margin = 300ms")));
  }

  @Test
  void zeroDownRemovalMarginMeansStableAfter() {
    assertEquals(Duration.ofSeconds(1), SafetyTiming.downRemovalMargin(profile("pekko.cluster.down-removal-margin = 0s")));
    assertEquals(Duration.ofSeconds(1), SafetyTiming.downRemovalMargin(profile("pekko.cluster.down-removal-margin = off")));
    assertDoesNotThrow(() -> SafetyTiming.check(profile("pekko.cluster.down-removal-margin = off")));
  }

  @Test
  void settingsThatBreakPekkoLaterAreRefusedNow() {
    SettingsException e = assertThrows(SettingsException.class, () -> SafetyTiming.check(profile("""
        pekko.cluster.singleton.hand-over-retry-interval = 0s
        pekko.cluster.leader-actions-interval = 0s
        pekko.cluster.split-brain-resolver.stable-after = 0s
        """)));
    assertTrue(e.getMessage().contains("hand-over-retry-interval: must be greater than 0, was 0 ms (0 crashes the singleton manager)"), e.getMessage());
    assertTrue(e.getMessage().contains("leader-actions-interval: must be greater than 0"), e.getMessage());
    assertTrue(e.getMessage().contains("stable-after: must be greater than 0"), e.getMessage());
  }

  @Test
  void theLeaseMarginMustCoverTimerTicksAndARelease() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> SafetyTiming.check(profile("vipkeeper.timing-profiles.default.drift-margin = 20ms")));
    assertTrue(e.getMessage().contains("drift-margin: 20 ms is too small"), e.getMessage());
    assertDoesNotThrow(() -> SafetyTiming.check(profile("vipkeeper.timing-profile = fast")));
  }
}
