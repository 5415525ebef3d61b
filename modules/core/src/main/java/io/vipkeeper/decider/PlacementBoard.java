package io.vipkeeper.decider;

import io.vipkeeper.membership.Members;

import io.vipkeeper.model.NodeIdentity;

import io.vipkeeper.model.PlacementPolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import java.util.HashSet;
import java.util.Set;

/**
 * Where every group is placed, as the groups' deciders report it. All deciders (Cluster
 * Singletons) run on the oldest node and use that node's board, so it sees every group. A decider
 * makes its choice through the board, which applies {@link Placement} with the current load and
 * books the target at once: groups placed at the same moment spread out instead of all picking
 * the same empty node. Every rebalance-interval it asks one balanced group to move from the most
 * to the least loaded node, one graceful move at a time, until no move would even things out.
 */
public final class PlacementBoard {

  public sealed interface Command {}

  /** Decide for {@code group} with the board's load filled in; the target is booked. */
  public record Choose(String group, Placement.Situation situation, PlacementPolicy policy, Map<String, Double> weights,
      ActorRef<Decider.Command> decider, ActorRef<Placement.Decision> replyTo) implements Command {}

  /** Where {@code group} is now; {@code node} null when nowhere. */
  public record Placed(String group, NodeIdentity node, PlacementPolicy policy, ActorRef<Decider.Command> decider) implements Command {}

  /** A group removed from the catalog: it no longer counts as load. */
  public record Forget(String group) implements Command {}

  /** The nodes (by name) being drained: never a rebalance target. */
  public record Drained(Set<String> names) implements Command {}

  private enum Rebalance implements Command { INSTANCE }

  private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(30);

  private record Entry(NodeIdentity node, PlacementPolicy policy, ActorRef<Decider.Command> decider, long movingSince) {}

  public static Behavior<Command> create(Duration rebalanceInterval) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Rebalance.INSTANCE, rebalanceInterval);
      return new PlacementBoard(context).behavior();
    }));
  }

  private final ActorContext<Command> context;
  private final Map<String, Entry> groups = new HashMap<>();
  private final Map<String, Double> weights = new HashMap<>();
  /** Node names by address, learned from the candidates the deciders report. */
  private final Map<String, String> names = new HashMap<>();
  private Set<String> drained = Set.of();

  private PlacementBoard(ActorContext<Command> context) {
    this.context = context;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Choose.class, this::onChoose)
        .onMessage(Placed.class, p -> {
          groups.put(p.group(), new Entry(p.node(), p.policy(), p.decider(), 0));
          return Behaviors.same();
        })
        .onMessage(Forget.class, f -> { groups.remove(f.group()); return Behaviors.same(); })
        .onMessage(Drained.class, d -> { drained = d.names(); return Behaviors.same(); })
        .onMessage(Rebalance.class, r -> rebalance())
        .build();
  }

  private Behavior<Command> onChoose(Choose choose) {
    weights.putAll(choose.weights());
    choose.situation().candidates().forEach(n -> names.put(n.address(), n.name()));
    Map<NodeIdentity, Double> load = new HashMap<>();
    for (NodeIdentity node : choose.situation().candidates()) load.put(node, count(node.address(), choose.group()) / weight(node.address()));
    Placement.Decision decision = Placement.decide(choose.situation().withLoad(load), choose.policy());
    Entry before = groups.get(choose.group());
    long moving = before == null ? 0 : before.movingSince();
    if (decision instanceof Placement.Keep keep) groups.put(choose.group(), new Entry(keep.holder(), choose.policy(), choose.decider(), 0));
    if (decision instanceof Placement.Move move) groups.put(choose.group(), new Entry(move.target(), choose.policy(), choose.decider(), moving));
    choose.replyTo().tell(decision);
    return Behaviors.same();
  }

  /** One balanced group from the most to the least loaded Up member, if that evens things out. */
  private Behavior<Command> rebalance() {
    long now = System.nanoTime();
    // One move at a time: the next waits until the last one's decider reported where its group is
    // now (a move can take seconds on a loaded host), or for MOVE_TIMEOUT if that report is lost.
    boolean moving = groups.values().stream().anyMatch(e -> e.movingSince() != 0 && now - e.movingSince() < MOVE_TIMEOUT.toNanos());
    if (moving) return Behaviors.same();
    // Counts are only right when every group is placed: a decider that is waiting (for a node that
    // just came up, or after a failed claim) reports no holder for a group that is still held, and
    // a rebalance on those counts moved a group between the old nodes (BalancedPlacementTest, 11 moves).
    if (groups.values().stream().anyMatch(e -> e.node() == null && e.policy().balanced())) return Behaviors.same();
    Map<String, String> placed = new HashMap<>();
    Set<String> balanced = new HashSet<>();
    groups.forEach((group, e) -> {
      if (e.node() != null) placed.put(group, e.node().address());
      if (e.policy().balanced()) balanced.add(group);
    });
    Optional<Placement.Step> step = Placement.rebalance(upMembers(), placed, balanced, weights);
    if (step.isEmpty()) return Behaviors.same();
    Entry entry = groups.get(step.get().group());
    context.getLog().info("REBALANCE group={} from {} to {}", step.get().group(), entry.node().name(), step.get().to());
    groups.put(step.get().group(), new Entry(entry.node(), entry.policy(), entry.decider(), now));
    entry.decider().tell(new Decider.MoveTo(step.get().to(), Decider.MoveReason.REBALANCE));
    return Behaviors.same();
  }

  /** Groups placed on {@code address}, not counting {@code except}. */
  private double count(String address, String except) {
    return groups.entrySet().stream()
        .filter(e -> !e.getKey().equals(except) && e.getValue().node() != null && e.getValue().node().address().equals(address))
        .count();
  }

  private double weight(String address) {
    return weights.getOrDefault(address, 1.0);
  }

  private List<String> upMembers() {
    return new Members(context.getSystem()).upAndReachable().stream()
        .filter(a -> !drained.contains(names.getOrDefault(a, ""))).toList();
  }
}
