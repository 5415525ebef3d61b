package io.vipkeeper.actor;

import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.safety.LeaseGrants;
import io.vipkeeper.safety.Quorum;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The decider for one VIP group, run as a Cluster Singleton. It surveys which node holds the group,
 * asks {@link Placement} where it should live, gets the next epoch promised by a set of nodes that
 * would survive a split ({@link Quorum}), and carries the move out through the nodes'
 * {@link InterfaceActor}s: always release first, then claim. On hand-over it releases on its own
 * (leaving) node before it stops, so the next singleton cannot claim while the old node holds.
 */
public final class VipOwner {

  public sealed interface Command {}

  /** The singleton's stop message: this node is leaving; release here, then stop. */
  public enum HandOver implements Command { INSTANCE }

  /** A planned move to the node at {@code address} (rebalance, operator), if it can hold the group. */
  public record MoveTo(String address, String reason) implements Command {
    /** The reason the placement board gives; any other is an operator's. */
    public static final String REBALANCE = "rebalance";
  }

  /** Where the group is, at which epoch, who decides, and how the last takeover went. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command, io.vipkeeper.CborSerializable {}

  /** {@code holder} empty when nowhere; {@code lastTakeover} null before the first on this decider. */
  public record Status(String group, String holder, long epoch, String decider, io.vipkeeper.VipEvent.Takeover lastTakeover)
      implements io.vipkeeper.CborSerializable {}

  private record DrainedChanged(VipCatalog.DrainedNodes nodes) implements Command {}

  private record Decided(Placement.Decision decision, long highest, Map<NodeIdentity, Long> holders) implements Command {}

  private record InterfacesChanged(Receptionist.Listing listing) implements Command {}

  private record ClusterChanged(Object event) implements Command {}

  private record Surveyed(int round, String node, InterfaceActor.Holdings holdings) implements Command {}

  private record PromiseDone(int round, String node, EpochLedger.PromiseResult result) implements Command {}

  /** {@code answered} false: the node never answered (stopped or crashed meanwhile). */
  private record ReleaseDone(NodeIdentity node, boolean released, boolean answered, String error) implements Command {}

  private record ClaimDone(NodeIdentity node, long epoch, boolean claimed, String error) implements Command {}

  private enum Recheck implements Command { INSTANCE }

  /** Time to ask the holder whether it still holds. */
  private enum VerifyHolder implements Command { INSTANCE }

  private record HolderAnswer(NodeIdentity node, InterfaceActor.Holdings holdings) implements Command {}

  private record BackingDone(int round, String node, EpochLedger.Backing backing) implements Command {}

  /** Time to ask this node's ledger when the holder last renewed its lease here. */
  private enum WatchLease implements Command { INSTANCE }

  /** {@code answered} false: this node's ledger did not answer in time, which says nothing about the holder. */
  private record RenewalAnswer(NodeIdentity holder, long sinceNanos, boolean answered) implements Command {}

  /** The holder's lease has run out everywhere that promised: the claim may go on. */
  private enum LeaseWaited implements Command { INSTANCE }

  /** While asking: look again for members that left, whose answer will never come. */
  private enum Tick implements Command { INSTANCE }

  private static final Duration TICK = Duration.ofMillis(50);

  /** How often a move away from a quiet holder looks again whether its lease was renounced. */
  private static final Duration BACKING_POLL = Duration.ofMillis(50);

  /** How long a placement waits for the interface actors of members that are Up to be listed. */
  private static final Duration UNLISTED_PATIENCE = Duration.ofSeconds(3);

  public static Behavior<Command> create(VipGroup group, VipKeeperSettings settings, Quorum quorum,
      ActorRef<PlacementBoard.Command> board, ActorRef<VipCatalog.Command> catalog) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      context.getLog().info("DECIDER group={} runs on this node", group.name());
      ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, InterfacesChanged::new);
      context.getSystem().receptionist().tell(Receptionist.subscribe(InterfaceActor.KEY, listings));
      context.getSystem().receptionist().tell(Receptionist.subscribe(EpochLedger.KEY, listings));
      // One adapter per event type: an adapter for a common supertype would also catch the Listing.
      Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.MemberEvent.class, ClusterChanged::new), ClusterEvent.MemberEvent.class));
      Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ClusterChanged::new), ClusterEvent.ReachabilityEvent.class));
      catalog.tell(new VipCatalog.WatchDrained(context.messageAdapter(VipCatalog.DrainedNodes.class, DrainedChanged::new)));
      VipOwner owner = new VipOwner(context, timers, group, settings, quorum, board);
      return Behaviors.intercept(() -> new AnyState(owner), owner.idle());
    }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final VipGroup group;
  private final VipKeeperSettings settings;
  private final Quorum quorum;
  private final Members members;
  private Set<ActorRef<InterfaceActor.Command>> interfaces = Set.of();
  private Set<ActorRef<EpochLedger.Command>> ledgers = Set.of();
  private NodeIdentity holder;
  private long epoch;
  private NodeIdentity lastFailed;
  /** Nodes the decider stopped trusting (no renewal, unreachable): not asked, fenced instead. */
  private Set<String> suspects = Set.of();
  private TakeoverTimeline timeline = TakeoverTimeline.initial();
  private io.vipkeeper.VipEvent.Takeover lastTakeover;
  /** Nodes (by name) being drained, from the catalog. */
  private Set<String> drained = Set.of();
  private long placedAt = System.nanoTime();
  private long unlistedSince;
  /** When the current epoch was promised, and how long its grantors' leases could still run then. */
  private long promisedAt;
  private long fenceNanos;
  private final ActorRef<PlacementBoard.Command> board;
  /** A node asked for by MoveTo, used until the next decision that is not a wait. */
  private String requested;
  /** Whether {@code requested} came from an operator (kept through a wait) or a rebalance (asked again by the board). */
  private boolean requestedByOperator;
  /** Since when each node has been a candidate without a break (for preempt-delay). */
  private final Map<String, Long> candidateSince = new HashMap<>();
  private int round;
  private final Set<String> pending = new HashSet<>();
  private final List<InterfaceActor.Holdings> answers = new ArrayList<>();
  private final Map<String, ActorRef<InterfaceActor.Command>> byNode = new HashMap<>();

  private VipOwner(ActorContext<Command> context, TimerScheduler<Command> timers, VipGroup group,
      VipKeeperSettings settings, Quorum quorum, ActorRef<PlacementBoard.Command> board) {
    this.board = board;
    this.context = context;
    this.timers = timers;
    this.group = group;
    this.settings = settings;
    this.quorum = quorum;
    this.members = new Members(Cluster.get(context.getSystem()));
  }

  /** Waiting for the first listing of interface actors. */
  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(InterfacesChanged.class, l -> listed(l) ? survey() : Behaviors.same())
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> survey() {
    round++;
    answers.clear();
    byNode.clear();
    pending.clear();
    int thisRound = round;
    for (ActorRef<InterfaceActor.Command> ref : interfaces) {
      String node = members.addressOf(ref);
      if (members.member(node).isEmpty()) continue;
      byNode.put(node, ref);
      // A suspect or unreachable node is not waited for: it counts as silent and the move is fenced.
      if (suspects.contains(node) || !members.isReachable(node)) continue;
      pending.add(node);
      context.ask(InterfaceActor.Holdings.class, ref, settings.surveyTimeout(), InterfaceActor.QueryHoldings::new,
          (answer, failure) -> new Surveyed(thisRound, node, answer));
    }
    if (pending.isEmpty()) return decide();
    timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
    return Behaviors.receive(Command.class)
        .onMessage(Surveyed.class, this::onSurveyed)
        .onMessage(InterfacesChanged.class, l -> { listed(l); return Behaviors.same(); })
        .onMessage(ClusterChanged.class, c -> dropDeparted())
        .onMessage(Tick.class, t -> dropDeparted())
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> onSurveyed(Surveyed surveyed) {
    if (surveyed.round() != round) return Behaviors.same();
    if (surveyed.holdings() != null) answers.add(surveyed.holdings());
    pending.remove(surveyed.node());
    return pending.isEmpty() ? decide() : Behaviors.same();
  }

  /** A member removed meanwhile will never answer and can hold nothing: stop waiting for it. */
  private Behavior<Command> dropDeparted() {
    pending.removeIf(node -> members.member(node).isEmpty());
    return pending.isEmpty() ? decide() : Behaviors.same();
  }

  private Behavior<Command> decide() {
    timers.cancel(Tick.INSTANCE);
    List<String> unheard = unheard();
    if (unheard.isEmpty()) unlistedSince = 0;
    else if (unlistedSince == 0) unlistedSince = System.nanoTime();
    if (!unheard.isEmpty() && System.nanoTime() - unlistedSince < UNLISTED_PATIENCE.toNanos()) {
      // A node that just came up is not a candidate before its interface actor is listed and
      // answers: wait a little, so the first placement sees every node (a slow answer would
      // otherwise put a group that prefers it elsewhere, for good when it does not preempt).
      return waitAndRecheck("waiting to hear from the interface actors of " + unheard);
    }
    Map<NodeIdentity, Long> holders = new HashMap<>();
    List<NodeIdentity> candidates = new ArrayList<>();
    Map<String, Double> weights = new HashMap<>();
    long highest = epoch;
    for (InterfaceActor.Holdings h : answers) {
      Long held = h.held().get(group.name());
      if (held != null) holders.put(h.node(), held);
      highest = Math.max(highest, h.highestEpoch().getOrDefault(group.name(), 0L));
      weights.put(h.node().address(), h.weight());
      if (h.canClaim() && members.isUpAndReachable(h.node().address())) candidates.add(h.node());
    }
    candidates.sort((a, b) -> Integer.compare(members.age(a), members.age(b)));
    int silent = (int) interfaces.stream().filter(r -> members.member(members.addressOf(r)).isPresent()).count() - answers.size();
    Placement.Situation situation = new Placement.Situation(candidates, holders, silent, self(), Optional.ofNullable(lastFailed),
        drainedAmong(answers), roles(candidates), Map.of(), healthyFor(candidates),
        candidates.stream().filter(c -> c.address().equals(requested)).findFirst());
    long highestSeen = highest;
    context.ask(Placement.Decision.class, board, settings.surveyTimeout(),
        replyTo -> new PlacementBoard.Choose(group.name(), situation, group.placement(), weights, context.getSelf(), replyTo),
        (decision, failure) -> new Decided(decision != null ? decision : new Placement.Wait("the placement board did not answer"),
            highestSeen, holders));
    return Behaviors.receive(Command.class)
        .onMessage(Decided.class, this::onDecided)
        .onMessage(InterfacesChanged.class, l -> { listed(l); return Behaviors.same(); })
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> onDecided(Decided decided) {
    // An operator's request lasts through a wait; the board asks again for a rebalance itself,
    // and a stale rebalance request would move a group it has since counted elsewhere.
    if (!(decided.decision() instanceof Placement.Wait) || !requestedByOperator) requested = null;
    if (decided.decision() instanceof Placement.Keep keep) {
      if (!keep.holder().equals(holder)) context.getLog().info("group {} stays on {} (epoch {})", group.name(), keep.holder().name(), epoch);
      holder = keep.holder();
      epoch = Math.max(decided.highest(), decided.holders().get(holder));
      return holding();
    }
    if (decided.decision() instanceof Placement.Wait wait) return waitAndRecheck(wait.reason());
    Placement.Move move = (Placement.Move) decided.decision();
    if (timeline.path().equals("decider-start") && holder != null) timeline = new TakeoverTimeline("move", holder.name(), 0);
    timeline.promising();
    return promise(decided.highest() + 1, move, 1);
  }

  private Set<NodeIdentity> drainedAmong(List<InterfaceActor.Holdings> answers) {
    Set<NodeIdentity> nodes = new HashSet<>();
    for (InterfaceActor.Holdings h : answers) if (drained.contains(h.node().name())) nodes.add(h.node());
    return nodes;
  }

  /**
   * Up, reachable, unsuspected nodes whose interface actor is not listed yet, or (while nobody
   * holds the group) did not answer this survey in time.
   */
  private List<String> unheard() {
    Set<String> answered = new HashSet<>();
    boolean someoneHolds = false;
    for (InterfaceActor.Holdings h : answers) {
      answered.add(h.node().address());
      someoneHolds |= h.held().containsKey(group.name());
    }
    boolean waitForAnswers = !someoneHolds;
    return members.voters().stream().map(Quorum.Voter::address)
        .filter(a -> members.isUpAndReachable(a) && !suspects.contains(a))
        .filter(a -> !byNode.containsKey(a) || (waitForAnswers && !answered.contains(a))).toList();
  }

  private Map<NodeIdentity, Set<String>> roles(List<NodeIdentity> nodes) {
    Map<NodeIdentity, Set<String>> roles = new HashMap<>();
    for (NodeIdentity n : nodes) members.member(n.address()).ifPresent(m -> roles.put(n, Set.copyOf(m.getRoles())));
    return roles;
  }

  /** Updates and reads how long each node has been a candidate without a break. */
  private Map<NodeIdentity, Duration> healthyFor(List<NodeIdentity> candidates) {
    long now = System.nanoTime();
    candidateSince.keySet().retainAll(candidates.stream().map(NodeIdentity::address).toList());
    Map<NodeIdentity, Duration> result = new HashMap<>();
    for (NodeIdentity c : candidates) result.put(c, Duration.ofNanos(now - candidateSince.computeIfAbsent(c.address(), a -> now)));
    return result;
  }

  /** Asks every reachable member's ledger to promise {@code proposed}; goes on once all answered and a surviving set promised. */
  private Behavior<Command> promise(long proposed, Placement.Move move, int attempt) {
    List<String> unknown = members.voters().stream().map(Quorum.Voter::address).filter(members::isReachable)
        .filter(a -> ledgers.stream().noneMatch(l -> members.addressOf(l).equals(a))).toList();
    if (!unknown.isEmpty()) {
      // A member whose ledger is not listed yet (it just joined) would miss the new epoch.
      return waitAndRecheck("waiting for the epoch ledgers of " + unknown + " to be listed");
    }
    List<String> reachable = members.voters().stream().map(Quorum.Voter::address).filter(a -> members.isReachable(a) && !suspects.contains(a)).toList();
    if (!quorum.survives(reachable, members.voters())) {
      // Promising on a side that cannot win would only raise epochs that, after the heal, end the real holder's lease.
      return waitAndRecheck("this side of the cluster (" + reachable.size() + " of " + members.voters().size() + " members) would not survive a split");
    }
    round++;
    int thisRound = round;
    Set<String> promisedBy = new HashSet<>();
    List<Long> backedFor = new ArrayList<>();
    Set<String> asked = new HashSet<>();
    long[] highest = {proposed - 1};
    pending.clear();
    for (ActorRef<EpochLedger.Command> ledger : ledgers) {
      String node = members.addressOf(ledger);
      if (members.member(node).isEmpty()) continue;
      if (suspects.contains(node) || !members.isReachable(node) || members.exitingOrDown(node)) {
        // Asked but not waited for (a node on its way out may never answer): if it is alive, the
        // promise fences its lease sooner.
        ledger.tell(new EpochLedger.Promise(group.name(), proposed, context.getSystem().ignoreRef()));
        continue;
      }
      pending.add(node);
      asked.add(node);
      context.ask(EpochLedger.PromiseResult.class, ledger, settings.promiseTimeout(),
          replyTo -> new EpochLedger.Promise(group.name(), proposed, replyTo),
          (result, failure) -> new PromiseDone(thisRound, node, result));
    }
    return Behaviors.receive(Command.class)
        .onMessage(PromiseDone.class, done -> {
          if (done.round() != thisRound) return Behaviors.same();
          pending.remove(done.node());
          if (done.result() != null && done.result().promised()) promisedBy.add(done.node());
          if (done.result() != null) {
            highest[0] = Math.max(highest[0], done.result().highest());
            backedFor.add(done.result().backedForNanos());
          }
          // Wait for every reachable ledger, not just a surviving set: all of them then know the
          // epoch before anything is claimed under it, so no later decider can pick it again.
          if (!pending.isEmpty()) return Behaviors.same();
          if (quorum.survives(promisedBy, members.voters())) {
            epoch = proposed;
            timeline.promised();
            promisedAt = System.nanoTime();
            fenceNanos = LeaseGrants.takeoverWaitNanos(backedFor, settings.lease().driftMargin().toNanos());
            // Built only when it is due: building it already sends the release and claim orders.
            Supplier<Behavior<Command>> next = () -> releaseThenClaim(move.releaseFrom(), move.target());
            return move.fenced() && fenceNanos > 0 ? leaseWait(Duration.ofNanos(fenceNanos), next) : next.get();
          }
          boolean outbid = highest[0] >= proposed && !promisedBy.containsAll(asked);
          if (outbid && attempt < 3) return promise(highest[0] + 1, move, attempt + 1);
          return waitAndRecheck("epoch " + proposed + " was promised by " + promisedBy.size() + " node(s), not by a set that would survive a split");
        })
        .onMessage(InterfacesChanged.class, l -> { listed(l); return Behaviors.same(); })
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /**
   * A silent node may hold the group under a lease that a promising node granted: wait until the
   * furthest such grant has run out (plus the drift margin) on the monotonic clock.
   */
  private Behavior<Command> leaseWait(Duration wait, Supplier<Behavior<Command>> then) {
    timers.startSingleTimer(LeaseWaited.INSTANCE, wait);
    return Behaviors.receive(Command.class)
        .onMessage(LeaseWaited.class, w -> { timeline.waited(); return then.get(); })
        .onMessage(InterfacesChanged.class, l -> { listed(l); return Behaviors.same(); })
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> releaseThenClaim(List<NodeIdentity> releaseFrom, NodeIdentity target) {
    if (releaseFrom.isEmpty()) return claim(target);
    Set<NodeIdentity> waiting = new HashSet<>(releaseFrom);
    boolean[] quiet = {false};
    for (NodeIdentity node : releaseFrom) {
      if (members.member(node.address()).isPresent() && !members.exitingOrDown(node.address())) {
        askRelease(node, "moving to " + target.name());
      } else {
        // Exiting, downed or gone: it releases on its own and may never answer; the lease fence covers it.
        context.getSelf().tell(new ReleaseDone(node, false, false, "it is leaving the cluster"));
      }
    }
    return Behaviors.receive(Command.class)
        .onMessage(ReleaseDone.class, done -> {
          if (!done.released() && done.answered()) {
            return waitAndRecheck(done.node().name() + " did not release (" + done.error() + "); not claiming elsewhere");
          }
          if (!done.released()) {
            // Gone quiet (stopping, crashed): the promised epoch ends its lease; claim once that has run out.
            context.getLog().warn("group {}: {} did not answer the release ({}); its lease is fenced by epoch {}",
                group.name(), done.node().name(), done.error(), epoch);
          }
          waiting.remove(done.node());
          quiet[0] |= !done.released();
          if (!waiting.isEmpty()) return Behaviors.same();
          return quiet[0] ? awaitBacking(target, 0) : claim(target);
        })
        .onMessage(ClusterChanged.class, c -> {
          // A node that is exiting or gone may never answer: do not wait out the release timeout.
          // (The event itself, not the state view, which lags it.)
          String gone = c.event() instanceof ClusterEvent.MemberExited e ? e.member().address().toString()
              : c.event() instanceof ClusterEvent.MemberRemoved e ? e.member().address().toString()
              : c.event() instanceof ClusterEvent.MemberDowned e ? e.member().address().toString() : "";
          for (NodeIdentity node : waiting) {
            if (node.address().equals(gone)) context.getSelf().tell(new ReleaseDone(node, false, false, "it is leaving the cluster"));
          }
          return Behaviors.same();
        })
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /**
   * A holder went quiet instead of confirming its release: claim once no lease the reachable
   * ledgers granted can still run (a holder that released renounced its lease with them; one that
   * did not is waited out). A ledger that does not answer keeps the wait computed at the promise.
   */
  private Behavior<Command> awaitBacking(NodeIdentity target, long deadline) {
    round++;
    int thisRound = round;
    pending.clear();
    List<Long> backed = new ArrayList<>();
    boolean[] unknown = {false};
    for (ActorRef<EpochLedger.Command> ledger : ledgers) {
      String node = members.addressOf(ledger);
      if (members.member(node).isEmpty() || suspects.contains(node) || !members.isReachable(node)) continue;
      pending.add(node);
      context.ask(EpochLedger.Backing.class, ledger, settings.promiseTimeout(), replyTo -> new EpochLedger.GetBacking(group.name(), replyTo),
          (backing, failure) -> new BackingDone(thisRound, node, backing));
    }
    Supplier<Behavior<Command>> decide = () -> {
      long now = System.nanoTime();
      long wait = LeaseGrants.takeoverWaitNanos(backed, settings.lease().driftMargin().toNanos());
      if (unknown[0] || pending.isEmpty() && backed.isEmpty()) wait = Math.max(wait, fenceNanos - (now - promisedAt));
      long until = deadline != 0 ? Math.min(deadline, now + wait) : now + wait;
      if (wait <= 0 || until - now <= 0) return claim(target);
      // A holder that just released renounces its lease a moment later: look again shortly rather
      // than wait the whole lease out; never past the first deadline.
      long next = Math.min(until - now, BACKING_POLL.toNanos());
      return leaseWait(Duration.ofNanos(next), () -> now + next - until >= 0 ? claim(target) : awaitBacking(target, until));
    };
    if (pending.isEmpty()) return decide.get();
    return Behaviors.receive(Command.class)
        .onMessage(BackingDone.class, done -> {
          if (done.round() != thisRound) return Behaviors.same();
          pending.remove(done.node());
          if (done.backing() == null) unknown[0] = true;
          else backed.add(done.backing().backedForNanos());
          return pending.isEmpty() ? decide.get() : Behaviors.same();
        })
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> claim(NodeIdentity target) {
    context.ask(InterfaceActor.ClaimResult.class, byNode.get(target.address()), settings.claimTimeout(),
        replyTo -> new InterfaceActor.Claim(group, epoch, replyTo),
        (result, failure) -> result != null
            ? new ClaimDone(target, result.epoch(), result.claimed(), result.error())
            : new ClaimDone(target, epoch, false, "no answer: " + failure.getMessage()));
    return Behaviors.receive(Command.class)
        .onMessage(ClaimDone.class, this::onClaimDone)
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /** Answers status queries and learns drained nodes whatever the decider is doing. */
  private static final class AnyState extends org.apache.pekko.actor.typed.BehaviorInterceptor<Command, Command> {
    private final VipOwner owner;

    AnyState(VipOwner owner) {
      super(Command.class);
      this.owner = owner;
    }

    @Override
    public Behavior<Command> aroundReceive(org.apache.pekko.actor.typed.TypedActorContext<Command> ctx, Command msg,
        ReceiveTarget<Command> target) {
      if (msg instanceof GetStatus get) {
        get.replyTo().tell(owner.status());
        return Behaviors.same();
      }
      if (msg instanceof DrainedChanged changed) {
        owner.drained = changed.nodes().names();
        // In the steady state this checks at once whether the holder must move away.
        return target.apply(ctx, VerifyHolder.INSTANCE);
      }
      return target.apply(ctx, msg);
    }
  }

  private Status status() {
    return new Status(group.name(), holder == null ? "" : holder.name(), epoch, self().name(), lastTakeover);
  }

  /** A drained holder gives the group up (planned, graceful) at the next check. */
  private boolean holderDrained() {
    return holder != null && drained.contains(holder.name());
  }

  private Behavior<Command> onClaimDone(ClaimDone done) {
    if (!done.claimed()) {
      lastFailed = done.node();
      return waitAndRecheck("claim on " + done.node().name() + " failed: " + done.error());
    }
    holder = done.node();
    lastFailed = null;
    suspects = Set.of();
    placedAt = System.nanoTime();
    context.getLog().info("group {} placed on {} (epoch {})", group.name(), holder.name(), done.epoch());
    context.getLog().info("TAKEOVER group={} {}", group.name(), timeline.describe(holder.name(), done.epoch()));
    lastTakeover = timeline.done(group.name(), holder.name(), done.epoch());
    context.getSystem().eventStream().tell(new org.apache.pekko.actor.typed.eventstream.EventStream.Publish<>(lastTakeover));
    timeline = TakeoverTimeline.initial();
    shareEpoch();
    return holding();
  }

  private Behavior<Command> waitAndRecheck(String reason) {
    context.getLog().warn("group {} not placed: {}", group.name(), reason);
    holder = null;
    // Trust is re-earned each round: one still unreachable is skipped again, a live one is asked.
    suspects = Set.of();
    timers.startSingleTimer(Recheck.INSTANCE, settings.claimRetry());
    return holding();
  }

  private Behavior<Command> verifyHolder() {
    ActorRef<InterfaceActor.Command> ref = holder == null ? null : byNode.get(holder.address());
    if (ref == null) return Behaviors.same();
    NodeIdentity asked = holder;
    context.ask(InterfaceActor.Holdings.class, ref, settings.surveyTimeout(), InterfaceActor.QueryHoldings::new,
        (answer, failure) -> new HolderAnswer(asked, answer));
    return Behaviors.same();
  }

  /** A holder that released on its own (link down, lost quorum) no longer holds: place again. */
  private Behavior<Command> onHolderAnswer(HolderAnswer answer) {
    if (answer.holdings() == null || !answer.node().equals(holder)) return Behaviors.same();
    if (answer.holdings().held().containsKey(group.name())) return Behaviors.same();
    context.getLog().warn("group {}: {} no longer holds it; placing it again", group.name(), holder.name());
    timeline = new TakeoverTimeline("released", holder.name(), 0);
    lastFailed = holder;
    holder = null;
    return survey();
  }

  /** Steady state: the group has a holder (or none can be found); re-decide when that changes. */
  private Behavior<Command> holding() {
    board.tell(new PlacementBoard.Placed(group.name(), holder, group.placement(), context.getSelf()));
    timers.startTimerWithFixedDelay(VerifyHolder.INSTANCE, settings.holderCheckInterval());
    timers.startTimerWithFixedDelay(WatchLease.INSTANCE, settings.lease().renewInterval());
    return Behaviors.receive(Command.class)
        .onMessage(InterfacesChanged.class, l -> { listed(l); shareEpoch(); return recheck(); })
        .onMessage(ClusterChanged.class, c -> { shareEpoch(); return recheck(); })
        .onMessage(Recheck.class, r -> recheck())
        .onMessage(VerifyHolder.class, v -> preempting() || holderDrained() ? placeAgain() : verifyHolder())
        .onMessage(HolderAnswer.class, this::onHolderAnswer)
        .onMessage(WatchLease.class, w -> watchLease())
        .onMessage(RenewalAnswer.class, this::onRenewalAnswer)
        .onMessage(MoveTo.class, this::onMoveTo)
        .onMessage(HandOver.class, h -> handOver())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /**
   * Every ledger learns the current epoch, also a node's that joined after it was promised, as
   * soon as its ledger is listed: a later decider on any surviving set then sees it and never
   * reuses it. (A holder cut off in the moment between a join and this push leaves the newcomers
   * without it; leases close that window.)
   */
  private void shareEpoch() {
    if (holder == null || epoch == 0) return;
    for (ActorRef<EpochLedger.Command> ledger : ledgers) {
      ledger.tell(new EpochLedger.Promise(group.name(), epoch, context.getSystem().ignoreRef()));
    }
  }

  /** Release on this (leaving) node and stop only when it is confirmed or the timeout passes. */
  private Behavior<Command> handOver() {
    ActorRef<InterfaceActor.Command> local = interfaces.stream().filter(r -> r.path().address().hasLocalScope()).findFirst().orElse(null);
    if (local == null) return Behaviors.stopped();
    context.ask(InterfaceActor.ReleaseResult.class, local, settings.releaseTimeout(),
        replyTo -> new InterfaceActor.Release(group.name(), "hand-over", replyTo),
        (result, failure) -> new ReleaseDone(self(), result != null && result.released(), result != null,
            result != null ? result.error() : String.valueOf(failure)));
    return Behaviors.receive(Command.class)
        .onMessage(ReleaseDone.class, done -> {
          if (!done.released()) context.getLog().error("group {}: release at hand-over failed: {}", group.name(), done.error());
          return Behaviors.stopped();
        })
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private void askRelease(NodeIdentity node, String reason) {
    context.ask(InterfaceActor.ReleaseResult.class, byNode.get(node.address()), settings.releaseTimeout(),
        replyTo -> new InterfaceActor.Release(group.name(), reason, replyTo),
        (result, failure) -> result != null
            ? new ReleaseDone(node, result.released(), true, result.error())
            : new ReleaseDone(node, false, false, "no answer: " + failure.getMessage()));
  }

  /** Places the group again when it has no holder, the holder left, or it can no longer be reached. */
  private Behavior<Command> recheck() {
    if (holder == null) return survey();
    Optional<Member> member = members.member(holder.address());
    if (member.isEmpty() || member.get().status() == MemberStatus.leaving() || member.get().status() == MemberStatus.exiting()) {
      timeline = new TakeoverTimeline(member.isEmpty() ? "removed" : "move", holder.name(), 0);
      return survey();
    }
    if (!members.isReachable(holder.address()) && !holder.address().equals(self().address())) {
      return suspect("unreachable (failure detector)", 0);
    }
    return Behaviors.same();
  }

  /** A drained holder, or a preferring group that may take a better node back: decide again. */
  private Behavior<Command> placeAgain() {
    if (holderDrained()) timeline = new TakeoverTimeline("drain", holder.name(), 0);
    return survey();
  }

  /** A preferring group that would take a better node back looks at every node, not just its holder. */
  private boolean preempting() {
    return group.placement().preempt() && !group.placement().balanced() && holder != null
        && group.placement().rank(holder.name(), Set.of()) > 0;
  }

  private Behavior<Command> onMoveTo(MoveTo move) {
    if (holder == null || holder.address().equals(move.address())) return Behaviors.same();
    context.getLog().info("group {}: moving from {} ({})", group.name(), holder.name(), move.reason());
    timeline = new TakeoverTimeline("move", holder.name(), 0);
    requested = move.address();
    requestedByOperator = !move.reason().equals(MoveTo.REBALANCE);
    return survey();
  }

  /** Asks this node's ledger when the holder last renewed here (a holder elsewhere renews with every node). */
  private Behavior<Command> watchLease() {
    if (holder == null || holder.address().equals(self().address())) return Behaviors.same();
    ActorRef<EpochLedger.Command> local = ledgers.stream().filter(l -> l.path().address().hasLocalScope()).findFirst().orElse(null);
    if (local == null) return Behaviors.same();
    NodeIdentity asked = holder;
    // A slow answer on a loaded host must not read as "never renewed": it is dropped, not judged.
    context.ask(EpochLedger.RenewalSeen.class, local, settings.lease().suspectAfter(),
        replyTo -> new EpochLedger.LastRenewal(group.name(), replyTo),
        (seen, failure) -> new RenewalAnswer(asked, seen == null ? -1 : seen.sinceNanos(), seen != null));
    return Behaviors.same();
  }

  private Behavior<Command> onRenewalAnswer(RenewalAnswer answer) {
    if (!answer.answered() || !answer.holder().equals(holder)) return Behaviors.same();
    long since = answer.sinceNanos() >= 0 ? answer.sinceNanos() : System.nanoTime() - placedAt;
    if (since < settings.lease().suspectAfter().toNanos()) return Behaviors.same();
    return suspect("no lease renewal seen for " + since / 1_000_000 + " ms", since);
  }

  /** The holder is no longer trusted: place the group elsewhere, fenced by epoch and lease. */
  private Behavior<Command> suspect(String why, long detectionNanos) {
    context.getLog().warn("SUSPECT group={} holder={}: {}; moving it without waiting for the node to be downed",
        group.name(), holder.name(), why);
    timeline = new TakeoverTimeline("lease", holder.name(), detectionNanos);
    Set<String> more = new HashSet<>(suspects);
    more.add(holder.address());
    suspects = Set.copyOf(more);
    lastFailed = holder;
    holder = null;
    return survey();
  }

  /** Takes in a listing; true once both keys have been listed at least once. */
  @SuppressWarnings("unchecked")
  private boolean listed(InterfacesChanged changed) {
    Receptionist.Listing listing = changed.listing();
    if (listing.isForKey(InterfaceActor.KEY)) interfaces = Set.copyOf(listing.getServiceInstances(InterfaceActor.KEY));
    if (listing.isForKey(EpochLedger.KEY)) ledgers = Set.copyOf(listing.getServiceInstances(EpochLedger.KEY));
    return !interfaces.isEmpty() && !ledgers.isEmpty();
  }

  private NodeIdentity self() {
    String address = members.selfAddress();
    return answers.stream().map(InterfaceActor.Holdings::node).filter(n -> n.address().equals(address)).findFirst()
        .orElse(new NodeIdentity(settings.nodeName(), address));
  }
}
