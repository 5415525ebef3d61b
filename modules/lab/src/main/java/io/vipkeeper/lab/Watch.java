package io.vipkeeper.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows {@code ip monitor} in one namespace and keeps the events that match, stamped with the
 * monotonic clock as they arrive: the kernel's own account of address and neighbour changes.
 */
public final class Watch implements AutoCloseable {

  /** One kernel event seen in {@code host}. */
  public record Event(long nanos, String host, String line) {}

  private final Process process;
  private final List<Event> events = new ArrayList<>();

  private Watch(Process process) {
    this.process = process;
  }

  /** Watches {@code what} (address, neigh) in {@code host}'s namespace for lines containing {@code filter}. */
  public static Watch start(Lab lab, String host, String what, String filter) throws IOException {
    Process process = new ProcessBuilder("ip", "-n", lab.ns(host), "monitor", what).redirectErrorStream(true).start();
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
        long now = System.nanoTime();
        if (filter.isEmpty() || line.contains(filter)) {
          synchronized (events) {
            events.add(new Event(now, host, line.trim()));
          }
        }
      }
    } catch (IOException e) {
      // the process ended with close()
    }
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
