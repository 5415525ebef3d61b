package io.vipkeeper.node.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The sd-daemon(3) priority prefix of a log line ({@code <3>} error, {@code <4>} warning, {@code <6>}
 * info, {@code <7>} debug): journald reads it from a service's stdout and files the line under
 * that priority, so {@code journalctl -p warning -u vipkeeper} shows warnings and worse.
 */
public final class JournaldPriority extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return prefix(event.getLevel());
  }

  static String prefix(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> "<3>";
      case Level.WARN_INT -> "<4>";
      case Level.INFO_INT -> "<6>";
      default -> "<7>";
    };
  }
}
