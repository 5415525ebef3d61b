package io.vipkeeper.model;

import java.util.List;
import java.util.Set;

/**
 * Where a group wants to live. {@code prefer} names nodes (their vipkeeper node-name) or roles
 * ({@code role:<pekko role>}) in order, best first; a node that matches none is still a fallback.
 * Empty means balanced: the group goes where the fewest groups (per node weight) are. With
 * {@code preempt} off (the default, as keepalived's nopreempt) a better node that comes back does
 * not take the group back; on, it does once it has been healthy for {@code preemptDelayMillis}.
 */
public record PlacementPolicy(List<String> prefer, boolean preempt, long preemptDelayMillis) {

  public static final PlacementPolicy BALANCED = new PlacementPolicy(List.of(), false, 0);

  public PlacementPolicy {
    prefer = List.copyOf(prefer);
    for (String entry : prefer) {
      if (entry.isBlank() || entry.equals("role:")) throw new IllegalArgumentException("prefer has an empty entry");
    }
    if (preemptDelayMillis < 0) throw new IllegalArgumentException("preempt-delay must be 0 or more");
  }

  public boolean balanced() {
    return prefer.isEmpty();
  }

  /** 0 for the best entry the node matches, {@code prefer.size()} when it matches none. */
  public int rank(String nodeName, Set<String> roles) {
    for (int i = 0; i < prefer.size(); i++) {
      String entry = prefer.get(i);
      boolean matches = entry.startsWith("role:") ? roles.contains(entry.substring(5)) : entry.equals(nodeName);
      if (matches) return i;
    }
    return prefer.size();
  }
}
