package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.LabAddresses;
import io.vipkeeper.lab.Watch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per moved address, from the kernels' own events: when a survivor's kernel held it, when the
 * client's entry pointed away from the dead node, and so when both were true.
 */
record Arrivals(Map<String, Long> kernel, Map<String, Long> neighbour, Map<String, Long> times) {

  static Arrivals of(List<Watch> watches, Set<String> moved, int victim, long fault) {
    Map<String, Long> kernel = new HashMap<>();
    Map<String, Long> neighbour = new HashMap<>();
    String deadMac = LabAddresses.nodeMac(victim);
    for (Watch w : watches) {
      for (Watch.Event e : w.events()) {
        if (e.nanos() <= fault || e.line().startsWith("Deleted")) continue;
        String[] t = e.line().split("\\s+");
        if (e.host().equals("c1")) {
          if (!e.line().contains(deadMac)) neighbour.putIfAbsent(t[0], e.nanos());
          continue;
        }
        for (int k = 0; k + 1 < t.length; k++) {
          if (t[k].equals("inet") || t[k].equals("inet6")) kernel.putIfAbsent(t[k + 1].replaceAll("/.*", ""), e.nanos());
        }
      }
    }
    Map<String, Long> both = new HashMap<>();
    for (String a : moved) {
      if (kernel.containsKey(a) && neighbour.containsKey(a)) both.put(a, Math.max(kernel.get(a), neighbour.get(a)));
    }
    return new Arrivals(kernel, neighbour, both);
  }

  /** Why each moved address that did not arrive did not, counted by reason ({@code after}: holders after the fault). */
  Map<String, Integer> missing(Set<String> moved, Map<String, Integer> after) {
    Map<String, Integer> reasons = new TreeMap<>();
    for (String a : moved) {
      if (times.containsKey(a)) continue;
      String why;
      if (after.getOrDefault(a, 0) == -1) why = "held by two survivors";
      else if (!after.containsKey(a)) why = "held by no survivor";
      else if (!kernel.containsKey(a)) why = "held, but before the fault (no add seen)";
      else why = "held, but the client's entry never left the dead node";
      reasons.merge(why, 1, Integer::sum);
    }
    return reasons;
  }
}
