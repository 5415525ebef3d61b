package io.vipkeeper.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The takeovers of a run (from the nodes' structured events), summed up per path as medians of each phase. */
public final class TakeoverPhases {

  private static final String[] PHASES = {"detectionMs", "promiseMs", "leaseWaitMs", "releaseMs", "claimMs", "totalMs"};
  private static final String[] NAMES = {"detection", "promise", "lease-wait", "release", "claim", "total"};

  private TakeoverPhases() {}

  public static String of(Nodes nodes, int count) {
    Map<String, List<long[]>> byPath = new TreeMap<>();
    for (int i = 1; i <= count; i++) {
      for (NodeEvents.Event e : nodes.events(i)) {
        if (!e.get("event").equals("takeover")) continue;
        long[] v = new long[PHASES.length];
        for (int k = 0; k < v.length; k++) v[k] = e.number(PHASES[k]);
        byPath.computeIfAbsent(e.get("path"), p -> new ArrayList<>()).add(v);
      }
    }
    List<String> parts = new ArrayList<>();
    byPath.forEach((path, rows) -> {
      StringBuilder b = new StringBuilder(path + " (" + rows.size() + "):");
      for (int k = 0; k < PHASES.length; k++) {
        int col = k;
        long[] sorted = rows.stream().mapToLong(r -> r[col]).sorted().toArray();
        b.append(' ').append(NAMES[k]).append(' ').append(sorted[sorted.length / 2]);
      }
      parts.add(b.toString());
    });
    return String.join("; ", parts);
  }
}
