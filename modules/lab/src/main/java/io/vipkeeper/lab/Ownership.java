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

  /** The longest stretch with two or more live holders: where it began and how long (0 when never). */
  record Overlap(long fromNanos, long nanos) {}

  synchronized long maxOverlapNanos(List<Watch.Event> events) {
    return longestOverlap(events).nanos();
  }

  synchronized Overlap longestOverlap(List<Watch.Event> events) {
    TreeSet<Long> points = new TreeSet<>();
    events.forEach(e -> points.add(e.nanos()));
    outages.forEach(o -> { points.add(o.from()); points.add(o.until()); });
    for (int i = 1; i <= count; i++) if (downSince[i] != 0) points.add(downSince[i]);
    long now = System.nanoTime();
    points.add(now);
    Overlap longest = new Overlap(0, 0);
    long since = -1;
    for (long t : points) {
      boolean overlapping = liveHolders(events, t) >= 2;
      if (overlapping && since < 0) since = t;
      if (!overlapping && since >= 0) {
        if (t - since > longest.nanos()) longest = new Overlap(since, t - since);
        since = -1;
      }
    }
    if (since >= 0 && now - since > longest.nanos()) longest = new Overlap(since, now - since);
    return longest;
  }

  /** Each node's time down (the lab's marks), relative to {@code anchor}: what an overlap is judged against. */
  synchronized List<String> outages(long anchor) {
    List<String> lines = new ArrayList<>();
    outages.forEach(o -> lines.add(String.format("n%d down +%.0f .. +%.0f ms", o.node(), (o.from() - anchor) / 1e6, (o.until() - anchor) / 1e6)));
    for (int i = 1; i <= count; i++) if (downSince[i] != 0) lines.add(String.format("n%d down since +%.0f ms", i, (downSince[i] - anchor) / 1e6));
    return lines;
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
