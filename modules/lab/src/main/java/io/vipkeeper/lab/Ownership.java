package io.vipkeeper.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Who held the VIP when, from the kernels' address events, leaving out nodes while they were
 * down (a crashed machine's NIC keeps its address but answers nobody). Two live holders at once
 * is the failure vipkeeper exists to prevent.
 */
final class Ownership {

  private record Outage(int node, long from, long until) {}

  private final int count;
  private final List<Outage> outages = new ArrayList<>();
  private final long[] downSince;

  Ownership(int count) {
    this.count = count;
    this.downSince = new long[count + 1];
  }

  synchronized void down(int node, long nanos) {
    if (downSince[node] == 0) downSince[node] = nanos;
  }

  synchronized void up(int node, long nanos) {
    if (downSince[node] != 0) outages.add(new Outage(node, downSince[node], nanos));
    downSince[node] = 0;
  }

  synchronized boolean isDown(int node) {
    return downSince[node] != 0;
  }

  /** The longest stretch with two or more live holders, in nanoseconds (0 when never). */
  synchronized long maxOverlapNanos(List<Watch.Event> events) {
    TreeSet<Long> points = new TreeSet<>();
    events.forEach(e -> points.add(e.nanos()));
    outages.forEach(o -> { points.add(o.from()); points.add(o.until()); });
    for (int i = 1; i <= count; i++) if (downSince[i] != 0) points.add(downSince[i]);
    long now = System.nanoTime();
    points.add(now);
    long longest = 0;
    long since = -1;
    for (long t : points) {
      boolean overlapping = liveHolders(events, t) >= 2;
      if (overlapping && since < 0) since = t;
      if (!overlapping && since >= 0) {
        longest = Math.max(longest, t - since);
        since = -1;
      }
    }
    if (since >= 0) longest = Math.max(longest, now - since);
    return longest;
  }

  private int liveHolders(List<Watch.Event> events, long at) {
    boolean[] holding = new boolean[count + 1];
    for (Watch.Event e : events) {
      if (e.nanos() > at) break;
      holding[Integer.parseInt(e.host().substring(1))] = !e.line().startsWith("Deleted");
    }
    int live = 0;
    for (int i = 1; i <= count; i++) if (holding[i] && !downAt(i, at)) live++;
    return live;
  }

  private boolean downAt(int node, long at) {
    if (downSince[node] != 0 && at >= downSince[node]) return true;
    return outages.stream().anyMatch(o -> o.node() == node && at >= o.from() && at < o.until());
  }
}
