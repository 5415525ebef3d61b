package io.vipkeeper.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The deciders' TAKEOVER log lines of a run, summed up per path as medians of each phase. */
final class TakeoverPhases {

  private static final Pattern LINE = Pattern.compile(
      "TAKEOVER group=\\S+ path=(\\S+) .*detection=(\\d+) ms promise=(\\d+) ms lease-wait=(\\d+) ms claim=(\\d+) ms total=(\\d+) ms");
  private static final String[] PHASES = {"detection", "promise", "lease-wait", "claim", "total"};

  private TakeoverPhases() {}

  static String of(Nodes nodes, int count) {
    Map<String, List<long[]>> byPath = new TreeMap<>();
    for (int i = 1; i <= count; i++) {
      Matcher m = LINE.matcher(nodes.log(i));
      while (m.find()) {
        long[] v = new long[PHASES.length];
        for (int k = 0; k < v.length; k++) v[k] = Long.parseLong(m.group(k + 2));
        byPath.computeIfAbsent(m.group(1), p -> new ArrayList<>()).add(v);
      }
    }
    List<String> parts = new ArrayList<>();
    byPath.forEach((path, rows) -> {
      StringBuilder b = new StringBuilder(path + " (" + rows.size() + "):");
      for (int k = 0; k < PHASES.length; k++) {
        int col = k;
        long[] sorted = rows.stream().mapToLong(r -> r[col]).sorted().toArray();
        b.append(' ').append(PHASES[k]).append(' ').append(sorted[sorted.length / 2]);
      }
      parts.add(b.toString());
    });
    return String.join("; ", parts);
  }
}
