package io.vipkeeper.holder;

import io.vipkeeper.config.AnnounceSettings;
import java.time.Duration;
import java.util.Optional;

/**
 * keepalived's order of announcements after a claim: a burst of {@code count} rounds
 * {@code interval} apart, a second burst after {@code second-burst-delay}, then (apart from this
 * schedule) periodic refresh rounds while holding.
 */
final class AnnouncementSchedule {

  /** The round number of a periodic refresh: a lone round, nothing follows it. */
  static final int REFRESH = -1;

  /** Round {@code round} (0-based) of burst {@code burst} (1 first, 2 second), due after {@code delay}. */
  record Round(int round, int burst, Duration delay) {}

  private AnnouncementSchedule() {}

  /** The round after {@code round} of {@code burst}, if any. */
  static Optional<Round> after(int round, int burst, AnnounceSettings announce) {
    if (round == REFRESH) return Optional.empty();
    if (round + 1 < announce.count()) return Optional.of(new Round(round + 1, burst, announce.interval()));
    if (burst == 1 && !announce.secondBurstDelay().isZero()) return Optional.of(new Round(0, 2, announce.secondBurstDelay()));
    return Optional.empty();
  }
}
