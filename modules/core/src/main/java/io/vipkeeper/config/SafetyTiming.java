package io.vipkeeper.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The timing rule that makes two owners impossible when a holder is cut off: it must have
 * released before the other side can claim. After a cut, both sides detect at about the same
 * time (they stop hearing each other at once; they can differ by up to the acceptable heartbeat
 * pause). The holder releases at most release-after + release-margin after its detection; the
 * other side claims no earlier than stable-after + down-removal-margin after its own. So:
 *
 * <pre>release-after + release-margin + acceptable-heartbeat-pause &lt; stable-after + down-removal-margin</pre>
 *
 * Checked once at start, with the Pekko settings that would otherwise fail later or silently, and
 * the lease profile's margin: the decider waits drift-margin past the furthest grant, and in that
 * time the old holder's expiry timer must fire (timers run on the scheduler's tick) and its
 * addresses must go (an ip call, 5-20 ms measured), so it must be at least two ticks plus 20 ms.
 */
public final class SafetyTiming {

  private SafetyTiming() {}

  public static void check(Config config) {
    List<String> problems = new ArrayList<>();
    Duration releaseAfter = positive(config, "vipkeeper.release-after", problems);
    Duration margin = positive(config, "vipkeeper.release-margin", problems);
    Duration pause = positive(config, "pekko.cluster.failure-detector.acceptable-heartbeat-pause", problems);
    Duration stableAfter = positive(config, "pekko.cluster.split-brain-resolver.stable-after", problems);
    positive(config, "pekko.cluster.singleton.hand-over-retry-interval", problems);
    positive(config, "pekko.cluster.leader-actions-interval", problems);
    if (problems.isEmpty()) {
      Duration removal = downRemovalMargin(config);
      Duration release = releaseAfter.plus(margin).plus(pause);
      Duration claim = stableAfter.plus(removal);
      if (release.compareTo(claim) >= 0) {
        problems.add(String.format("unsafe timing: release-after (%d ms) + release-margin (%d ms) + acceptable-heartbeat-pause"
            + " (%d ms) = %d ms must be less than split-brain-resolver.stable-after (%d ms) + down-removal-margin (%d ms) = %d ms,"
            + " or a cut-off holder may still answer when another node claims; lower vipkeeper.release-after or raise stable-after",
            releaseAfter.toMillis(), margin.toMillis(), pause.toMillis(), release.toMillis(), stableAfter.toMillis(),
            removal.toMillis(), claim.toMillis()));
      }
    }
    checkLeaseMargin(config, problems);
    if (!problems.isEmpty()) throw new SettingsException(problems);
  }

  private static void checkLeaseMargin(Config config, List<String> problems) {
    String profile = config.getString("vipkeeper.timing-profile");
    String path = "vipkeeper.timing-profiles.\"" + profile + "\".drift-margin";
    if (!config.hasPath(path)) return; // an unknown profile is reported with the settings
    Duration margin = config.getDuration(path);
    Duration tick = config.getDuration("pekko.scheduler.tick-duration");
    Duration least = tick.multipliedBy(2).plusMillis(20);
    if (margin.compareTo(least) < 0) {
      problems.add(String.format("vipkeeper.timing-profiles.%s.drift-margin: %d ms is too small; it must cover two scheduler ticks"
          + " (pekko.scheduler.tick-duration = %d ms) and a release (20 ms): at least %d ms", profile, margin.toMillis(),
          tick.toMillis(), least.toMillis()));
    }
  }

  /** Pekko reads a zero ("off") down-removal-margin as stable-after. */
  static Duration downRemovalMargin(Config config) {
    String raw = config.getString("pekko.cluster.down-removal-margin");
    Duration margin = raw.equals("off") ? Duration.ZERO : config.getDuration("pekko.cluster.down-removal-margin");
    return margin.isZero() ? config.getDuration("pekko.cluster.split-brain-resolver.stable-after") : margin;
  }

  private static Duration positive(Config config, String path, List<String> problems) {
    Duration d = config.getDuration(path);
    if (d.isZero() || d.isNegative()) {
      problems.add(path + ": must be greater than 0, was " + d.toMillis() + " ms"
          + (path.endsWith("hand-over-retry-interval") ? " (0 crashes the singleton manager)" : "")
          + (path.endsWith("leader-actions-interval") ? " (0 makes the leader loop without pause)" : ""));
      return Duration.ofMillis(1);
    }
    return d;
  }
}
