package io.vipkeeper.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Follows {@code ip -ts monitor} in one namespace and keeps the events that match: the kernel's own
 * account of address and neighbour changes. Each event keeps the time ip stamped on it when the
 * netlink message came (not when this reader got to it), on the monotonic clock of this JVM. Only
 * the reader's lag behind ip is measured on the wall clock, so a clock being slewed or stepped (a
 * fresh VM's time sync) does not shift events against the lab's own marks.
 */
public final class Watch implements AutoCloseable {

  /** One kernel event seen in {@code host}. */
  public record Event(long nanos, String host, String line) {}

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
  private final Process process;
  private final List<Event> events = new ArrayList<>();

  private Watch(Process process) {
    this.process = process;
  }

  /** Watches {@code what} (address, neigh) in {@code host}'s namespace for lines containing {@code filter}. */
  public static Watch start(Lab lab, String host, String what, String filter) throws IOException {
    Process process = new ProcessBuilder("ip", "-ts", "-n", lab.ns(host), "monitor", what).redirectErrorStream(true).start();
    Watch watch = new Watch(process);
    Thread reader = new Thread(() -> watch.read(host, filter), "watch-" + host + "-" + what);
    reader.setDaemon(true);
    reader.start();
    return watch;
  }

  private void read(String host, String filter) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        long seen = System.nanoTime();
        Instant seenWall = Instant.now();
        if (!filter.isEmpty() && !line.contains(filter)) continue;
        long stamped = seen;
        if (line.startsWith("[") && line.indexOf(']') > 0) {
          stamped = toNanos(line.substring(1, line.indexOf(']')), seen, seenWall);
          line = line.substring(line.indexOf(']') + 1);
        }
        synchronized (events) {
          events.add(new Event(stamped, host, line.trim()));
        }
      }
    } catch (IOException e) {
      // the process ended with close()
    }
  }

  /** ip's wall-clock stamp (local time) as the monotonic time it was that long before {@code seen}. */
  private static long toNanos(String stamp, long seen, Instant seenWall) {
    try {
      Instant at = LocalDateTime.parse(stamp, STAMP).atZone(ZoneId.systemDefault()).toInstant();
      return seen - Math.max(0, Duration.between(at, seenWall).toNanos());
    } catch (RuntimeException e) {
      return seen;
    }
  }

  /** Whether ip monitor still runs: a dead one would read as "no changes". */
  public boolean alive() {
    return process.isAlive();
  }

  public List<Event> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  @Override
  public void close() {
    process.destroy();
  }
}
