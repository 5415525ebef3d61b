package io.vipkeeper.actor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a group should live, as a pure function of what the survey saw, so it is tested without a
 * cluster. Policy: keep a healthy holder (no flapping); otherwise the holder with the highest epoch,
 * then the oldest candidate that is not the deciding node (losing that node then does not also
 * lose the decider), then the deciding node. A node that did not answer may still hold the group
 * under its lease: the move is then fenced (epoch promise, then a wait for its lease).
 */
public final class Placement {

  public sealed interface Decision {}

  /** The group stays where it is. */
  public record Keep(NodeIdentity holder) implements Decision {}

  /**
   * Release on every node of {@code releaseFrom} first, then claim on {@code target}; when
   * {@code fenced}, a silent node may still hold it, so the claim waits out its lease.
   */
  public record Move(List<NodeIdentity> releaseFrom, NodeIdentity target, boolean fenced) implements Decision {}

  /** Nothing can be decided safely now; wait for the cluster to change. */
  public record Wait(String reason) implements Decision {}

  /**
   * @param candidates nodes that may hold the group now (up, reachable, interface ready), oldest first
   * @param holders nodes that answered that they hold it, with their epoch
   * @param silent how many members did not answer (or were not asked) and might hold it
   * @param self the node running the decider
   * @param avoid a node to pass over when another candidate exists (its last claim failed)
   */
  public static Decision decide(List<NodeIdentity> candidates, Map<NodeIdentity, Long> holders,
      int silent, NodeIdentity self, Optional<NodeIdentity> avoid) {
    if (holders.size() == 1 && candidates.contains(holders.keySet().iterator().next())) {
      return new Keep(holders.keySet().iterator().next());
    }
    Optional<NodeIdentity> target = target(candidates, holders, self, avoid);
    if (target.isEmpty()) return new Wait("no node can hold the group now");
    List<NodeIdentity> releaseFrom = new ArrayList<>(holders.keySet());
    releaseFrom.remove(target.get());
    releaseFrom.sort((a, b) -> a.address().compareTo(b.address()));
    return new Move(List.copyOf(releaseFrom), target.get(), silent > 0);
  }

  private static Optional<NodeIdentity> target(List<NodeIdentity> candidates,
      Map<NodeIdentity, Long> holders, NodeIdentity self, Optional<NodeIdentity> avoid) {
    Optional<NodeIdentity> bestHolder = holders.entrySet().stream()
        .filter(e -> candidates.contains(e.getKey()))
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey);
    if (bestHolder.isPresent()) return bestHolder;
    List<NodeIdentity> preferred = new ArrayList<>(candidates);
    if (avoid.isPresent() && preferred.size() > 1) preferred.remove(avoid.get());
    return preferred.stream().filter(n -> !n.equals(self)).findFirst().or(() -> preferred.stream().findFirst());
  }

  private Placement() {}
}
