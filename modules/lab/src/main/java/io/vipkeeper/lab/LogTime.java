package io.vipkeeper.lab;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time a node's log line was written. Lines carry the time of day only (HH:mm:ss.SSS), so the
 * date is the one that puts the line within 12 hours of now: a run across midnight reads right.
 */
public final class LogTime {

  private static final Pattern TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) ");

  private LogTime() {}

  /** Epoch milliseconds of {@code line}, if it starts with a time. */
  public static OptionalLong millis(String line) {
    Matcher m = TIME.matcher(line);
    if (!m.find()) return OptionalLong.empty();
    return OptionalLong.of(nearest(LocalTime.parse(m.group(1)), Instant.now()).toEpochMilli());
  }

  static Instant nearest(LocalTime time, Instant now) {
    ZonedDateTime at = time.atDate(LocalDate.ofInstant(now, ZoneId.systemDefault())).atZone(ZoneId.systemDefault());
    Duration offset = Duration.between(now, at.toInstant());
    if (offset.compareTo(Duration.ofHours(12)) > 0) at = at.minusDays(1);
    if (offset.compareTo(Duration.ofHours(-12)) < 0) at = at.plusDays(1);
    return at.toInstant();
  }
}
