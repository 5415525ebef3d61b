package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.Lab;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** tcpdump on the client: announcements (gratuitous ARP, neighbour advertisements), stamped as they arrive. */
final class FrameCapture {

  record Frame(long nanos, String mac) {}

  /** The first burst after the fault: frames within 2 s of the first one (a second burst comes seconds later). */
  record Burst(int frames, double millis) {}

  /**
   * Gratuitous ARP (sender IP = target IP, request or reply) and neighbour advertisements: not the
   * survivors' own ARP requests, which would open the burst's window before the first announcement.
   */
  private static final String ANNOUNCEMENTS = "(arp and arp[14:4] = arp[24:4]) or (icmp6 and ip6[40] == 136)";

  private final Process process;
  private final List<Frame> frames = new ArrayList<>();

  private FrameCapture(Process process) {
    this.process = process;
  }

  static FrameCapture start(Lab lab, String host) throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "exec", lab.ns(host), "tcpdump", "-i", "eth0", "-nn", "-e", "-l", "-q",
        ANNOUNCEMENTS).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    FrameCapture c = new FrameCapture(p);
    Thread reader = new Thread(() -> c.read(p), "capture-" + host);
    reader.setDaemon(true);
    reader.start();
    Thread.sleep(300);
    if (!p.isAlive()) throw new IllegalStateException("tcpdump did not start in " + host + " (exit " + p.exitValue() + ")");
    return c;
  }

  private void read(Process p) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        long now = System.nanoTime();
        String[] t = line.trim().split("\\s+");
        if (t.length > 2) synchronized (frames) { frames.add(new Frame(now, t[1])); }
      }
    } catch (Exception e) {
      // tcpdump ended
    }
  }

  /** Stops the capture; the first burst of frames from {@code macs} after {@code fault}. */
  Burst stop(long fault, Set<String> macs) {
    process.destroy();
    List<Frame> seen;
    synchronized (frames) {
      seen = frames.stream().filter(f -> f.nanos() > fault && macs.contains(f.mac())).toList();
    }
    long first = seen.stream().mapToLong(Frame::nanos).min().orElse(fault);
    List<Frame> burst = seen.stream().filter(f -> f.nanos() < first + 2_000_000_000L).toList();
    long last = burst.stream().mapToLong(Frame::nanos).max().orElse(first);
    return new Burst(burst.size(), (last - first) / 1e6);
  }
}
