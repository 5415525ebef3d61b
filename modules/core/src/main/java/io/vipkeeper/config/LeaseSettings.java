package io.vipkeeper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * The holder-lease timing of the chosen profile: the holder renews every {@code renewInterval}
 * and holds for {@code duration} past the send time of the last round a surviving set granted; a
 * decider suspects a holder it has not seen renew for {@code suspectAfter}, and after a surviving
 * set promised the next epoch waits out what they last granted plus {@code driftMargin}.
 */
public record LeaseSettings(String profile, Duration renewInterval, Duration duration, Duration suspectAfter,
    Duration driftMargin) {

  /** Reads {@code vipkeeper.timing-profiles.<vipkeeper.timing-profile>}; every problem is added to {@code problems}. */
  static LeaseSettings read(Config vipkeeper, List<String> problems) {
    String profile = vipkeeper.getString("timing-profile");
    Config profiles = vipkeeper.getConfig("timing-profiles");
    if (!profiles.hasPath(quote(profile))) {
      problems.add("vipkeeper.timing-profile: '" + profile + "' is not a profile; defined: " + profiles.root().keySet().stream().sorted().toList());
      return null;
    }
    String path = "vipkeeper.timing-profiles." + profile + ".";
    try {
      Config c = profiles.getConfig(quote(profile));
      LeaseSettings s = new LeaseSettings(profile, c.getDuration("renew-interval"), c.getDuration("lease-duration"),
          c.getDuration("suspect-after"), c.getDuration("drift-margin"));
      int before = problems.size();
      for (var d : List.of(s.renewInterval, s.duration, s.suspectAfter, s.driftMargin)) {
        if (d.isZero() || d.isNegative()) problems.add(path + "*: every duration must be greater than 0, was " + d.toMillis() + " ms");
      }
      if (s.renewInterval.multipliedBy(2).compareTo(s.duration) > 0) {
        problems.add(path + "renew-interval (" + s.renewInterval.toMillis() + " ms) must be at most half of lease-duration ("
            + s.duration.toMillis() + " ms): one lost renewal would otherwise end the lease");
      }
      if (s.suspectAfter.compareTo(s.renewInterval.multipliedBy(2)) < 0) {
        problems.add(path + "suspect-after (" + s.suspectAfter.toMillis() + " ms) must be at least two renew-intervals ("
            + s.renewInterval.multipliedBy(2).toMillis() + " ms), or a healthy holder is suspected between two renewals");
      }
      return problems.size() == before ? s : null;
    } catch (ConfigException e) {
      problems.add(path + "*: " + e.getMessage());
      return null;
    }
  }

  private static String quote(String key) {
    return "\"" + key + "\"";
  }
}
