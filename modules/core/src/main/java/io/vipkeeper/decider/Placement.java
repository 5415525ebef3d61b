package io.vipkeeper.decider;

import io.vipkeeper.model.NodeIdentity;

import io.vipkeeper.model.PlacementPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashMap;

/**
 * Where a group should live, as a pure function of what its decider knows, so it is tested
 * without a cluster. A healthy holder keeps the group (no flapping) unless the operator or a
 * rebalance asks for another node, or the policy preempts for a better-ranked node that has been
 * healthy long enough. Otherwise the target is: a holder with the highest epoch, else the best
 * candidate by the policy's preference, then the lowest load (groups per node weight), then not
 * the deciding node (losing that node then does not also lose the decider), then the oldest. A
 * node that did not answer may still hold the group under its lease: the move is then fenced
 * (epoch promise, then a wait for its lease).
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
   * What the decider knows.
   *
   * @param candidates nodes that may hold the group now (up, reachable, healthy), oldest first
   * @param holders nodes that answered that they hold it, with their epoch
   * @param silent how many members did not answer (or were not asked) and might hold it
   * @param self the node running the decider
   * @param avoid a node to pass over when another candidate exists (its last claim failed)
   * @param drained nodes being drained: never a target, and a holder among them moves away
   * @param roles each node's cluster roles, for {@code role:} preferences
   * @param load other groups placed on each node, divided by the node's weight
   * @param healthyFor how long each candidate has been one without a break
   * @param requested a node the operator or a rebalance asked for
   */
  public record Situation(List<NodeIdentity> candidates, Map<NodeIdentity, Long> holders, int silent, NodeIdentity self,
      Optional<NodeIdentity> avoid, Set<NodeIdentity> drained, Map<NodeIdentity, Set<String>> roles,
      Map<NodeIdentity, Double> load, Map<NodeIdentity, Duration> healthyFor, Optional<NodeIdentity> requested) {

    public Situation withLoad(Map<NodeIdentity, Double> newLoad) {
      return new Situation(candidates, holders, silent, self, avoid, drained, roles, newLoad, healthyFor, requested);
    }
  }

  public static Decision decide(Situation s, PlacementPolicy policy) {
    List<NodeIdentity> eligible = new ArrayList<>(s.candidates());
    eligible.removeAll(s.drained());
    if (s.holders().size() == 1) {
      NodeIdentity holder = s.holders().keySet().iterator().next();
      if (eligible.contains(holder)) {
        return better(s, policy, holder, eligible).<Decision>map(b -> new Move(List.of(holder), b, false)).orElse(new Keep(holder));
      }
    }
    Optional<NodeIdentity> target = target(s, policy, eligible);
    if (target.isEmpty()) return new Wait("no node can hold the group now");
    List<NodeIdentity> releaseFrom = new ArrayList<>(s.holders().keySet());
    releaseFrom.remove(target.get());
    releaseFrom.sort(Comparator.comparing(NodeIdentity::address));
    return new Move(List.copyOf(releaseFrom), target.get(), s.silent() > 0);
  }

  /** A requested node, or (preempt on) a better-ranked node that has been healthy for the delay. */
  private static Optional<NodeIdentity> better(Situation s, PlacementPolicy policy, NodeIdentity holder, List<NodeIdentity> eligible) {
    if (s.requested().isPresent() && eligible.contains(s.requested().get())) {
      return s.requested().filter(r -> !r.equals(holder));
    }
    if (policy.balanced() || !policy.preempt()) return Optional.empty();
    int holderRank = rank(s, policy, holder);
    Duration delay = Duration.ofMillis(policy.preemptDelayMillis());
    return eligible.stream()
        .filter(n -> rank(s, policy, n) < holderRank && s.healthyFor().getOrDefault(n, Duration.ZERO).compareTo(delay) >= 0)
        .min(order(s, policy, eligible));
  }

  private static Optional<NodeIdentity> target(Situation s, PlacementPolicy policy, List<NodeIdentity> eligible) {
    Optional<NodeIdentity> bestHolder = s.holders().entrySet().stream()
        .filter(e -> eligible.contains(e.getKey()))
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey);
    if (bestHolder.isPresent()) return bestHolder;
    if (s.requested().isPresent() && eligible.contains(s.requested().get())) return s.requested();
    List<NodeIdentity> pool = new ArrayList<>(eligible);
    if (s.avoid().isPresent() && pool.size() > 1) pool.remove(s.avoid().get());
    return pool.stream().min(order(s, policy, eligible));
  }

  /** Preference rank, then load, then not the decider's node, then age (the candidates' order). */
  private static Comparator<NodeIdentity> order(Situation s, PlacementPolicy policy, List<NodeIdentity> byAge) {
    return Comparator.<NodeIdentity>comparingInt(n -> rank(s, policy, n))
        .thenComparingDouble(n -> s.load().getOrDefault(n, 0.0))
        .thenComparing(n -> n.equals(s.self()))
        .thenComparingInt(byAge::indexOf);
  }

  private static int rank(Situation s, PlacementPolicy policy, NodeIdentity node) {
    return policy.rank(node.name(), s.roles().getOrDefault(node, Set.of()));
  }

  /** One rebalancing step: move {@code group} from {@code from} to {@code to} (node addresses). */
  public record Step(String group, String from, String to) {}

  /**
   * The next graceful move that evens out balanced groups, or none: one group from the most to
   * the least loaded node (groups per weight), only if the move leaves the least loaded node no
   * fuller than the most loaded was. Repeated, it moves exactly the groups that must move.
   *
   * @param nodes the nodes that may hold groups now (addresses)
   * @param placed every group's node (preferring groups count as load but are never moved)
   * @param balanced the groups without a preference
   */
  public static Optional<Step> rebalance(List<String> nodes, Map<String, String> placed, Set<String> balanced,
      Map<String, Double> weights) {
    if (nodes.size() < 2) return Optional.empty();
    Map<String, Long> counts = new HashMap<>();
    for (String node : nodes) counts.put(node, placed.values().stream().filter(node::equals).count());
    Comparator<String> byLoad = Comparator.<String>comparingDouble(n -> counts.get(n) / weights.getOrDefault(n, 1.0))
        .thenComparing(Comparator.naturalOrder());
    String most = nodes.stream().max(byLoad).orElseThrow();
    String least = nodes.stream().min(byLoad).orElseThrow();
    if (counts.get(most) / weights.getOrDefault(most, 1.0) <= (counts.get(least) + 1) / weights.getOrDefault(least, 1.0)) {
      return Optional.empty();
    }
    return placed.entrySet().stream()
        .filter(e -> e.getValue().equals(most) && balanced.contains(e.getKey()))
        .map(Map.Entry::getKey).min(Comparator.naturalOrder())
        .map(group -> new Step(group, most, least));
  }

  private Placement() {}
}
