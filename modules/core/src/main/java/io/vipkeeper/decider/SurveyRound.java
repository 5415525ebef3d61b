package io.vipkeeper.decider;

import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.membership.MembershipView;
import io.vipkeeper.model.NodeIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One survey of the nodes' interface actors: who was asked, who has not answered yet, what the
 * answers say; and, once done, the {@link Placement.Situation} it adds up to. Plain Java, so the
 * reading of the answers is tested without a cluster.
 */
final class SurveyRound {

  final int id;
  /** Members whose interface actor is listed (asked or not), by address. */
  final Set<String> listed;
  private final Set<String> pending;
  private final List<InterfaceActor.Holdings> answers = new ArrayList<>();

  SurveyRound(int id, Set<String> listed, Set<String> asked) {
    this.id = id;
    this.listed = Set.copyOf(listed);
    this.pending = new HashSet<>(asked);
  }

  void answered(String node, InterfaceActor.Holdings holdings) {
    if (holdings != null) answers.add(holdings);
    pending.remove(node);
  }

  /** A member removed meanwhile will never answer and can hold nothing: stop waiting for it. */
  void departed(Predicate<String> isMember) {
    pending.removeIf(isMember.negate());
  }

  boolean done() {
    return pending.isEmpty();
  }

  List<InterfaceActor.Holdings> answers() {
    return List.copyOf(answers);
  }

  /** The highest epoch any answer knows for {@code group}, at least {@code known}. */
  long highestEpoch(String group, long known) {
    long highest = known;
    for (InterfaceActor.Holdings h : answers) highest = Math.max(highest, h.highestEpoch().getOrDefault(group, 0L));
    return highest;
  }

  /**
   * A node still completing a claim of {@code group} (waiting for its lease) at an epoch no answer
   * knows to be superseded: an earlier decider's order (a singleton that just moved) under way.
   */
  Optional<Map.Entry<NodeIdentity, Long>> claimUnderWay(String group) {
    long highest = highestEpoch(group, 0);
    for (InterfaceActor.Holdings h : answers) {
      Long claiming = h.claiming().get(group);
      if (claiming != null && claiming >= highest && !h.held().containsKey(group)) return Optional.of(Map.entry(h.node(), claiming));
    }
    return Optional.empty();
  }

  /** Nodes that say they hold {@code group}, with their epoch. */
  Map<NodeIdentity, Long> holders(String group) {
    Map<NodeIdentity, Long> holders = new HashMap<>();
    for (InterfaceActor.Holdings h : answers) {
      Long held = h.held().get(group);
      if (held != null) holders.put(h.node(), held);
    }
    return holders;
  }

  /**
   * Up, reachable, unsuspected voters whose interface actor is not listed yet, or (while nobody
   * holds the group) did not answer this survey in time.
   */
  List<String> unheard(String group, Collection<String> voters, MembershipView members, Set<String> suspects) {
    Set<String> answered = new HashSet<>();
    for (InterfaceActor.Holdings h : answers) answered.add(h.node().address());
    boolean waitForAnswers = holders(group).isEmpty();
    return voters.stream().filter(a -> members.isUpAndReachable(a) && !suspects.contains(a))
        .filter(a -> !listed.contains(a) || (waitForAnswers && !answered.contains(a))).toList();
  }

  /** Addresses of the nodes that may hold the group now: they can claim and are Up and reachable. */
  List<String> candidates(MembershipView members) {
    return answers.stream().filter(h -> h.canClaim() && members.isUpAndReachable(h.node().address())).map(h -> h.node().address()).toList();
  }

  /** What the decider knows, for {@link Placement#decide}. */
  Placement.Situation situation(String group, MembershipView members, NodeIdentity self, Optional<NodeIdentity> avoid,
      Set<String> drained, Map<String, Duration> healthyFor, String requested) {
    List<NodeIdentity> candidates = new ArrayList<>();
    Set<NodeIdentity> drainedNodes = new HashSet<>();
    for (InterfaceActor.Holdings h : answers) {
      if (h.canClaim() && members.isUpAndReachable(h.node().address())) candidates.add(h.node());
      if (drained.contains(h.node().name())) drainedNodes.add(h.node());
    }
    candidates.sort((a, b) -> Integer.compare(members.age(a.address()), members.age(b.address())));
    int silent = (int) listed.stream().filter(members::isMember).count() - answers.size();
    Map<NodeIdentity, Set<String>> roles = new HashMap<>();
    Map<NodeIdentity, Duration> healthy = new HashMap<>();
    for (NodeIdentity c : candidates) {
      roles.put(c, members.roles(c.address()));
      healthy.put(c, healthyFor.getOrDefault(c.address(), Duration.ZERO));
    }
    return new Placement.Situation(candidates, holders(group), silent, self, avoid, drainedNodes, roles, Map.of(), healthy,
        candidates.stream().filter(c -> c.address().equals(requested)).findFirst());
  }

  /** Each answering node's weight for balanced placement, by address. */
  Map<String, Double> weights() {
    Map<String, Double> weights = new HashMap<>();
    for (InterfaceActor.Holdings h : answers) weights.put(h.node().address(), h.weight());
    return weights;
  }

  /** The identity the answers give this node, if it answered. */
  Optional<NodeIdentity> identityOf(String address) {
    return answers.stream().map(InterfaceActor.Holdings::node).filter(n -> n.address().equals(address)).findFirst();
  }
}
