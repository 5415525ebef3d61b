package io.vipkeeper.decider;

import io.vipkeeper.Ask;
import io.vipkeeper.CborSerializable;
import io.vipkeeper.TakeoverPath;
import io.vipkeeper.VipEvent;
import io.vipkeeper.catalog.VipCatalog;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.membership.Members;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import java.util.List;
import java.util.Map;

/**
 * The decider for one VIP group, run as a Cluster Singleton: it surveys which node holds the
 * group, asks the {@link PlacementBoard} (and so {@link Placement}) where it should live, gets the
 * next epoch promised by a set of ledgers that would survive a split, and carries the move out
 * through the nodes' {@link InterfaceActor}s: always release first, then claim.
 *
 * <pre>
 *  idle ──listed──► surveying ──answers──► choosing ──Keep / Wait──► holding
 *                       ▲                     │ Move                   │
 *                       │                     ▼                        │ recheck, suspect, drain,
 *                       │                 promising ──fenced──► fencing│ MoveTo, holder gone
 *                       │                     │                   │    │
 *                       │                     ▼                   ▼    │
 *                       │                 releasing ──quiet──► awaiting backing (poll, wait)
 *                       │                     │                   │
 *                       │                     ▼                   ▼
 *                       └──── holding ◄── claiming ◄──────────────┘
 *  any state ──HandOver──► handing over (release on this node) ──► stopped
 * </pre>
 *
 * Each state carries its own round ({@link SurveyRound}, {@link PromiseRound}, {@link ReleaseRound},
 * {@link LeaseFence}); the fields below are what the decider knows across states. Status queries,
 * drained nodes, listings, moves asked for and the hand-over are handled once, for every state.
 */
public final class Decider {

  public sealed interface Command {}

  /** The singleton's stop message: this node is leaving; release here, then stop. */
  public enum HandOver implements Command { INSTANCE }

  /** Who asks for a move: an operator's request lasts through a wait, a rebalance is asked again by the board. */
  public enum MoveReason { OPERATOR, REBALANCE }

  /** A planned move to the node at {@code address}, if it can hold the group. */
  public record MoveTo(String address, MoveReason reason) implements Command, CborSerializable {}

  /**
   * The node at {@code address} is stopping (a planned stop): if it holds the group, move it away
   * now. {@code replyTo} hears Done once the group is held elsewhere, or no move can be made now.
   */
  public record Vacate(String address, ActorRef<Done> replyTo) implements Command, CborSerializable {}

  /** Where the group is, at which epoch, who decides, and how the last takeover went. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command, CborSerializable {}

  /** {@code holder} empty when nowhere; {@code lastTakeover} null before the first on this decider. */
  public record Status(String group, String holder, long epoch, String decider, VipEvent.Takeover lastTakeover)
      implements CborSerializable {}

  private record DrainedChanged(VipCatalog.DrainedNodes nodes) implements Command {}

  private record Listed(Receptionist.Listing listing) implements Command {}

  private record ClusterChanged(Object event) implements Command {}

  private record Surveyed(int round, String node, InterfaceActor.Holdings holdings) implements Command {}

  private record Decided(Placement.Decision decision) implements Command {}

  private record PromiseDone(int round, String node, EpochLedger.PromiseResult result) implements Command {}

  /**
   * {@code answered} false: the node never answered (stopped or crashed meanwhile); {@code handedOff}:
   * it sent the claim on to the target itself (see {@link InterfaceActor.HandOff}).
   */
  private record ReleaseDone(NodeIdentity node, boolean released, boolean answered, String error, boolean handedOff)
      implements Command {

    ReleaseDone(NodeIdentity node, boolean released, boolean answered, String error) {
      this(node, released, answered, error, false);
    }
  }

  /** The answer to a claim the old holder handed on; it may come before that holder's own answer. */
  private record HandedClaimDone(ClaimDone done) implements Command {}

  /** A handed-on claim not answered within claim-timeout. */
  private record HandedClaimLate(long epoch) implements Command {}

  private record BackingDone(int round, String node, EpochLedger.Backing backing) implements Command {}

  private enum LeaseWaited implements Command { INSTANCE }

  private enum PromiseAgain implements Command { INSTANCE }

  private record ClaimDone(NodeIdentity node, long epoch, boolean claimed, String error) implements Command {}

  private enum Recheck implements Command { INSTANCE }

  /** While asking: look again for members that left, whose answer will never come. */
  private enum Tick implements Command { INSTANCE }

  /** Before the first placement: ask the receptionist again, in case a listing change went by unnoticed. */
  private enum AskListings implements Command { INSTANCE }

  private enum VerifyHolder implements Command { INSTANCE }

  private record HolderAnswer(NodeIdentity node, InterfaceActor.Holdings holdings) implements Command {}

  /** From the node's renewal watch: the holder's renewals stopped reaching this node. */
  private record RenewalAnswer(RenewalWatch.Suspected suspected) implements Command {}

  private static final Duration TICK = Duration.ofMillis(50);

  /** How long a placement waits for the interface actors of members that are Up to be listed. */
  private static final Duration UNLISTED_PATIENCE = Duration.ofSeconds(3);
  /** How soon a decider looks again at a claim an earlier decider ordered. */
  private static final Duration CLAIM_RECHECK = Duration.ofMillis(200);

  private static final int PROMISE_ATTEMPTS = 3;

  private static final String UNLISTED = "its interface actor is no longer listed (the node crashed or left)";

  public static Behavior<Command> create(VipGroup group, VipKeeperSettings settings, Quorum quorum, DeciderBoards boards,
      ActorRef<VipCatalog.Command> catalog) {
    // A stopped singleton is not started again until it moves: a bug must cost a fresh survey, not the group.
    return Behaviors.supervise(behavior(group, settings, quorum, boards, catalog))
        .onFailure(Exception.class, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
  }

  private static Behavior<Command> behavior(VipGroup group, VipKeeperSettings settings, Quorum quorum, DeciderBoards boards,
      ActorRef<VipCatalog.Command> catalog) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      context.getLog().info("DECIDER group={} runs on this node", group.name());
      ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, Listed::new);
      context.getSystem().receptionist().tell(Receptionist.subscribe(InterfaceActor.KEY, listings));
      context.getSystem().receptionist().tell(Receptionist.subscribe(EpochLedger.KEY, listings));
      // One adapter per event type: an adapter for a common supertype would also catch the Listing.
      Cluster cluster = Cluster.get(context.getSystem());
      cluster.subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.MemberEvent.class, ClusterChanged::new), ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ClusterChanged::new), ClusterEvent.ReachabilityEvent.class));
      catalog.tell(new VipCatalog.WatchDrained(context.messageAdapter(VipCatalog.DrainedNodes.class, DrainedChanged::new)));
      Decider decider = new Decider(context, timers, group, settings, quorum, boards, listings,
          context.messageAdapter(RenewalWatch.Suspected.class, RenewalAnswer::new));
      timers.startTimerWithFixedDelay(AskListings.INSTANCE, Duration.ofSeconds(1));
      return Behaviors.intercept(() -> new EveryState(decider), decider.idle());
    }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final VipGroup group;
  private final VipKeeperSettings settings;
  private final Quorum quorum;
  private final Members members;
  private final ActorRef<PlacementBoard.Command> board;
  private final ActorRef<RenewalWatch.Command> renewals;
  /** Made once: an adapter made per use would pile up as children. */
  private final ActorRef<Receptionist.Listing> listings;
  private final ActorRef<RenewalWatch.Suspected> suspected;
  private final ActorRef<InterfaceActor.ClaimResult> handedClaims;
  /** The answer to a handed-on claim that came while the release was still unanswered. */
  private ClaimDone handedEarly;
  private final NodeLookup nodes;
  private final CandidateClock candidates = new CandidateClock(System::nanoTime);
  private NodeIdentity holder;
  private long epoch;
  private NodeIdentity lastFailed;
  /** Claims that failed in a row (reset by one that succeeds): they space out the retries. */
  private int failedClaims;
  /** Nodes the decider stopped trusting (no renewal, unreachable): not asked, fenced instead. */
  private Set<String> suspects = Set.of();
  private TakeoverTimeline timeline = TakeoverTimeline.initial();
  private VipEvent.Takeover lastTakeover;
  /** Nodes (by name) being drained, from the catalog. */
  private Set<String> drained = Set.of();
  private long placedAt = System.nanoTime();
  private long unlistedSince;
  /** When a claim of another decider's order was first seen under way (0: none). */
  private long claimSeenSince;
  /** When the current epoch was promised, and how long its grantors' leases could still run then. */
  private long promisedAt;
  private long fenceNanos;
  /** A node asked for by MoveTo, used until the next decision that is not a wait. */
  private MoveTo requested;
  /** An operator's MoveTo or a Vacate that came while a placement was under way: taken up once it is done. */
  private Command deferred;
  /** Stopping nodes waiting for this group to be held elsewhere (or for no move to be possible now). */
  private final List<ActorRef<Done>> vacating = new ArrayList<>();
  /** The stopping holder the next survey need not ask (its answer is known, and comes slowest). */
  private NodeIdentity stoppingHolder;
  /** The holder whose planned stop this placement serves (null: none): it releases beside the promise. */
  private NodeIdentity leaving;
  private int round;

  private Decider(ActorContext<Command> context, TimerScheduler<Command> timers, VipGroup group, VipKeeperSettings settings,
      Quorum quorum, DeciderBoards boards, ActorRef<Receptionist.Listing> listings, ActorRef<RenewalWatch.Suspected> suspected) {
    this.context = context;
    this.timers = timers;
    this.group = group;
    this.settings = settings;
    this.quorum = quorum;
    this.board = boards.placement();
    this.renewals = boards.renewals();
    this.listings = listings;
    this.suspected = suspected;
    this.members = new Members(context.getSystem());
    this.nodes = new NodeLookup(members);
    this.handedClaims = context.messageAdapter(InterfaceActor.ClaimResult.class,
        r -> new HandedClaimDone(new ClaimDone(r.node(), r.epoch(), r.claimed(), r.error())));
  }

  // ---- states ----

  /** Waiting for the first listing of interface actors and ledgers. */
  /**
   * Until both the interface actors and the ledgers are listed. A singleton that just moved here can
   * start between the old node's entries going and this node's ledger being listed; the
   * receptionist is asked again every second, so a missed change never leaves the group unplaced.
   */
  private Behavior<Command> idle() {
    return state(common(Mode.IDLE).onMessage(AskListings.class, a -> {
      context.getSystem().receptionist().tell(Receptionist.find(InterfaceActor.KEY, listings));
      context.getSystem().receptionist().tell(Receptionist.find(EpochLedger.KEY, listings));
      context.getLog().info("DECIDER group={} waits for listings: {} interface actor(s), {} ledger(s)", group.name(),
          nodes.interfaceNodes().size(), nodes.ledgerNodes().size());
      return Behaviors.same();
    }));
  }

  private Behavior<Command> survey() {
    timers.cancel(AskListings.INSTANCE);
    Set<String> listed = new HashSet<>();
    Set<String> asked = new HashSet<>();
    for (String node : nodes.interfaceNodes()) {
      if (!members.isMember(node)) continue;
      listed.add(node);
      // A suspect or unreachable node is not waited for: it counts as silent and the move is fenced.
      if (!suspects.contains(node) && members.isReachable(node)) asked.add(node);
    }
    NodeIdentity stopping = stoppingHolder;
    stoppingHolder = null;
    if (stopping != null) asked.remove(stopping.address());
    SurveyRound survey = new SurveyRound(++round, listed, asked);
    // What it would say: it holds the group at this epoch and takes no claim.
    if (stopping != null) survey.answered(stopping.address(), new InterfaceActor.Holdings(stopping, Map.of(group.name(), epoch),
        Map.of(group.name(), epoch), false, 0, Map.of(), ""));
    for (String node : asked) {
      Ask.ask(context, InterfaceActor.Holdings.class, nodes.interfaceOf(node), settings.surveyTimeout(), InterfaceActor.QueryHoldings::new,
          (answer, failure) -> new Surveyed(survey.id, node, answer));
    }
    if (survey.done()) return choose(survey);
    timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
    return surveying(survey);
  }

  private Behavior<Command> surveying(SurveyRound survey) {
    return state(common(Mode.BUSY)
        .onMessage(Surveyed.class, s -> {
          if (s.round() == survey.id) survey.answered(s.node(), s.holdings());
          return survey.done() ? choose(survey) : Behaviors.same();
        })
        .onMessage(ClusterChanged.class, c -> departed(survey))
        .onMessage(Tick.class, t -> departed(survey))
);
  }

  private Behavior<Command> departed(SurveyRound survey) {
    survey.departed(members::isMember);
    return survey.done() ? choose(survey) : Behaviors.same();
  }

  /** The survey is in: wait for unheard nodes a little, else ask the board where the group goes. */
  private Behavior<Command> choose(SurveyRound survey) {
    timers.cancel(Tick.INSTANCE);
    var voters = members.voters().stream().map(Quorum.Voter::address).toList();
    var unheard = survey.unheard(group.name(), voters, members, suspects);
    var unjoined = firstPlacementOfAPreference(survey) ? members.seedsNotUp() : List.<String>of();
    if (unheard.isEmpty() && unjoined.isEmpty()) unlistedSince = 0;
    else if (unlistedSince == 0) unlistedSince = System.nanoTime();
    if ((!unheard.isEmpty() || !unjoined.isEmpty()) && System.nanoTime() - unlistedSince < UNLISTED_PATIENCE.toNanos()) {
      // A node that just came up is not a candidate before its interface actor is listed and
      // answers, nor one of the nodes started together that joins a second or two after the others
      // (Pekko's seed process): wait a little, so the first placement sees every node (it would
      // otherwise put a group that prefers it elsewhere, for good when it does not preempt).
      return waitAndRecheck(!unheard.isEmpty() ? "waiting to hear from the interface actors of " + unheard
          : "it prefers a node, and these seed nodes are not Up yet: " + unjoined);
    }
    var underWay = survey.claimUnderWay(group.name());
    if (underWay.isEmpty()) claimSeenSince = 0;
    else if (claimSeenSince == 0) claimSeenSince = System.nanoTime();
    if (underWay.isPresent() && System.nanoTime() - claimSeenSince < settings.claimTimeout().toNanos()) return awaitClaim(underWay.get());
    Placement.Situation situation = survey.situation(group.name(), members, self(survey), Optional.ofNullable(lastFailed), drained,
        candidates.update(survey.candidates(members)), requested == null ? "" : requested.address());
    Ask.ask(context, Placement.Decision.class, board, settings.surveyTimeout(),
        replyTo -> new PlacementBoard.Choose(group.name(), situation, group.placement(), survey.weights(), context.getSelf(), replyTo),
        (decision, failure) -> new Decided(decision != null ? decision : new Placement.Wait("the placement board did not answer")));
    return state(common(Mode.BUSY)
        .onMessage(Decided.class, d -> onDecided(d.decision(), survey))
);
  }

  private Behavior<Command> onDecided(Placement.Decision decision, SurveyRound survey) {
    // An operator's request lasts through a wait; the board asks again for a rebalance itself,
    // and a stale rebalance request would move a group it has since counted elsewhere.
    if (!(decision instanceof Placement.Wait) || requested == null || requested.reason() != MoveReason.OPERATOR) requested = null;
    long highest = survey.highestEpoch(group.name(), epoch);
    if (decision instanceof Placement.Keep keep) {
      if (!keep.holder().equals(holder)) context.getLog().info("group {} stays on {} (epoch {})", group.name(), keep.holder().name(), epoch);
      holder = keep.holder();
      epoch = Math.max(highest, survey.holders(group.name()).get(holder));
      return holding();
    }
    if (decision instanceof Placement.Wait wait) return waitAndRecheck(wait.reason());
    Placement.Move move = (Placement.Move) decision;
    if (timeline.path() == TakeoverPath.DECIDER_START && holder != null) timeline = new TakeoverTimeline(TakeoverPath.MOVE, holder.name(), 0);
    timeline.promising();
    return promise(highest + 1, move, 1);
  }

  /** Asks every reachable ledger to promise {@code proposed}; goes on once all answered and a surviving set promised. */
  private Behavior<Command> promise(long proposed, Placement.Move move, int attempt) {
    return promise(proposed, move, attempt, null);
  }

  /** {@code sent}: a stopping holder's release already sent for this epoch (a postponed round), else null. */
  private Behavior<Command> promise(long proposed, Placement.Move move, int attempt, EarlyRelease sent) {
    Optional<String> blocked = PromiseRound.blocked(members.voters(), members::reachesDirectly, suspects, quorum);
    if (blocked.isPresent()) return waitAndRecheck(blocked.get());
    // The target's lease round runs beside the promise: the ledgers grant leases on the epoch only
    // to the node it is promised to, whichever of the two reaches them first.
    if (!move.fenced()) prepare(move.target(), proposed);
    String to = move.target().address();
    Set<String> asked = new HashSet<>();
    for (String node : nodes.ledgerNodes()) {
      if (!members.isMember(node)) continue;
      if (suspects.contains(node) || !members.isReachable(node) || members.exitingOrDown(node)) {
        // Told but not waited for (a node on its way out may never answer): if it is alive, the
        // promise fences its lease sooner.
        nodes.ledgerOf(node).tell(new EpochLedger.Promise(group.name(), proposed, to, context.getSystem().ignoreRef()));
      } else {
        asked.add(node);
      }
    }
    PromiseRound promise = new PromiseRound(++round, proposed, attempt, asked);
    for (String node : asked) {
      Ask.ask(context, EpochLedger.PromiseResult.class, nodes.ledgerOf(node), settings.promiseTimeout(),
          replyTo -> new EpochLedger.Promise(group.name(), proposed, to, replyTo), (result, failure) -> new PromiseDone(promise.id, node, result));
    }
    EarlyRelease early = sent != null ? sent
        : attempt == 1 && releasesEarly(move) ? new EarlyRelease(sendReleases(move.releaseFrom(), move.target(), proposed, proposed)) : null;
    // No ledger to wait for (a singleton that just moved here, before its own ledger is listed): no
    // answer would ever come, so the round ends now, refused, and is tried again after claim-retry.
    if (promise.decided(quorum, members.voters())) return onPromised(promise, move, early);
    return state(collectingEarly(common(Mode.BUSY), early, proposed)
        .onMessage(PromiseDone.class, done -> {
          if (done.round() != promise.id) return Behaviors.same();
          promise.answered(done.node(), done.result());
          return promise.decided(quorum, members.voters()) ? onPromised(promise, move, early) : Behaviors.same();
        }));
  }

  /** While a promise is out, the answers to a release sent beside it are kept for the release round. */
  private BehaviorBuilder<Command> collectingEarly(BehaviorBuilder<Command> builder, EarlyRelease early, long proposed) {
    return builder
        .onMessage(ReleaseDone.class, done -> {
          if (early != null) early.answers.add(done);
          return Behaviors.same();
        })
        .onMessage(HandedClaimDone.class, h -> {
          if (h.done().epoch() == proposed) handedEarly = h.done();
          return Behaviors.same();
        });
  }

  /** The same epoch, to the same target, once the ledgers that abstained lately vote again (suspects stay suspects). */
  private Behavior<Command> promiseAgain(PromiseRound promise, Placement.Move move, EarlyRelease early, long inNanos) {
    context.getLog().info("group {}: epoch {} waits {} ms for ledgers that joined moments ago", group.name(), promise.proposed,
        inNanos / 1_000_000 + 1);
    timers.startSingleTimer(PromiseAgain.INSTANCE, Duration.ofNanos(inNanos).plusMillis(1));
    return state(collectingEarly(common(Mode.BUSY), early, promise.proposed)
        .onMessage(PromiseAgain.class, p -> promise(promise.proposed, move, promise.attempt + 1, early)));
  }

  /**
   * A stopping holder is told to release beside the promise, not after it: it releases once its own
   * ledger promised the epoch (one message sooner than the decider's order after the promise), and
   * its target claims once the promise lets it take its lease. A stopping node leaves whatever the
   * promise says, so a failed promise leaves the group unheld until the next placement.
   */
  private boolean releasesEarly(Placement.Move move) {
    return leaving != null && !move.fenced() && move.releaseFrom().equals(List.of(leaving));
  }

  /** A release sent beside the promise, and the answers it got meanwhile. */
  private record EarlyRelease(ReleaseRound round, List<ReleaseDone> answers) {
    EarlyRelease(ReleaseRound round) {
      this(round, new ArrayList<>());
    }
  }

  private Behavior<Command> onPromised(PromiseRound promise, Placement.Move move, EarlyRelease early) {
    PromiseRound.Outcome outcome = promise.outcome(quorum, members.voters(), settings.lease().driftMargin().toNanos(), PROMISE_ATTEMPTS);
    if (outcome instanceof PromiseRound.Outbid outbid) return promise(outbid.next(), move, promise.attempt + 1);
    if (outcome instanceof PromiseRound.Postponed later) return promiseAgain(promise, move, early, later.nanos());
    if (outcome instanceof PromiseRound.Refused refused) {
      if (!move.fenced()) unprepare(move.target(), promise.proposed);
      return waitAndRecheck(refused.reason());
    }
    PromiseRound.Promised promised = (PromiseRound.Promised) outcome;
    epoch = promised.epoch();
    timeline.promised();
    promisedAt = System.nanoTime();
    fenceNanos = promised.fenceNanos();
    if (early != null) {
      early.answers().forEach(context.getSelf()::tell);
      // Not answered yet: it may still wait for its own ledger, while a surviving set has promised.
      if (early.answers().isEmpty()) {
        ActorRef<InterfaceActor.Command> iface = nodes.interfaceOf(move.releaseFrom().get(0).address());
        if (iface != null) iface.tell(new InterfaceActor.ReleaseDue(group.name()));
      }
      return releasing(early.round(), move.target());
    }
    // Built only when it is due: building it already sends the release and claim orders.
    Supplier<Behavior<Command>> next = () -> release(move.releaseFrom(), move.target());
    return move.fenced() && fenceNanos > 0 ? fencing(Duration.ofNanos(fenceNanos), next) : next.get();
  }

  /**
   * A move whose holders all answered (planned, a drain, a rebalance, a first placement): the
   * target takes its lease on {@code proposed} while the ledgers promise it and the holders release,
   * so that the claim after the release adds at once. The release waits for the promise (a stopping
   * holder's only for its own ledger's), so the holders serve the clients until the move can go
   * through. Not for a fenced move, whose claim waits out a silent holder's lease (about half a
   * second, far longer than a lease round) anyway.
   */
  private void prepare(NodeIdentity target, long proposed) {
    ActorRef<InterfaceActor.Command> iface = nodes.interfaceOf(target.address());
    if (iface != null) iface.tell(new InterfaceActor.Prepare(group.name(), proposed, watcher()));
  }

  /** The promise failed: the target stops renewing the epoch, which would otherwise end the holder's lease later. */
  private void unprepare(NodeIdentity target, long proposed) {
    ActorRef<InterfaceActor.Command> iface = nodes.interfaceOf(target.address());
    if (iface != null) iface.tell(new InterfaceActor.PrepareLapsed(group.name(), proposed));
  }

  /** This node's ledger: the one its renewal watch asks whether the holder still renews. */
  private ActorRef<EpochLedger.Command> watcher() {
    return nodes.ledgerOf(members.selfAddress());
  }

  /** A silent node may hold the group under a lease a promising node granted: wait until it has run out. */
  private Behavior<Command> fencing(Duration wait, Supplier<Behavior<Command>> then) {
    timers.startSingleTimer(LeaseWaited.INSTANCE, wait);
    return state(common(Mode.BUSY)
        .onMessage(LeaseWaited.class, w -> { timeline.waited(); return then.get(); })
);
  }

  private Behavior<Command> release(List<NodeIdentity> from, NodeIdentity target) {
    if (from.isEmpty()) return claim(target);
    return releasing(sendReleases(from, target, epoch, 0), target);
  }

  /** {@code whenPromised}: see {@link InterfaceActor.Release#whenPromised}. */
  private ReleaseRound sendReleases(List<NodeIdentity> from, NodeIdentity target, long claimEpoch, long whenPromised) {
    handedEarly = null;
    ActorRef<InterfaceActor.Command> targetIface = nodes.interfaceOf(target.address());
    // One holder: it hands the claim on itself. More (two holders found): each answer is needed first.
    InterfaceActor.HandOff handOff = from.size() == 1 && targetIface != null
        ? new InterfaceActor.HandOff(targetIface, new InterfaceActor.Claim(group, claimEpoch, watcher(), handedClaims)) : null;
    for (NodeIdentity node : from) {
      if (members.isMember(node.address()) && !members.exitingOrDown(node.address())) {
        askRelease(node, "moving to " + target.name(), handOff, whenPromised);
      } else {
        // Exiting, downed or gone: it releases on its own and may never answer; the lease fence covers it.
        context.getSelf().tell(new ReleaseDone(node, false, false, "it is leaving the cluster"));
      }
    }
    return new ReleaseRound(from);
  }

  private Behavior<Command> releasing(ReleaseRound release, NodeIdentity target) {
    return state(common(Mode.BUSY)
        .onMessage(ReleaseDone.class, done -> {
          if (!done.released() && !done.answered() && release.waitsFor(done.node())) {
            // Gone quiet (stopping, crashed): the promised epoch ends its lease; claim once that has run out.
            context.getLog().warn("group {}: {} did not answer the release ({}); its lease is fenced by epoch {}",
                group.name(), done.node().name(), done.error(), epoch);
          }
          ReleaseRound.Outcome outcome = release.answered(done.node(), done.released(), done.answered(), done.error());
          if (outcome instanceof ReleaseRound.Refused refused) return waitAndRecheck(refused.reason());
          if (outcome instanceof ReleaseRound.Released released) {
            timeline.released();
            if (released.quiet()) return awaitBacking(target, 0);
            return done.handedOff() ? awaitHandedClaim(target) : claim(target);
          }
          return Behaviors.same();
        })
        .onMessage(HandedClaimDone.class, h -> {
          if (h.done().epoch() == epoch) handedEarly = h.done();
          return Behaviors.same();
        })
        .onMessage(ClusterChanged.class, c -> {
          // A node that is exiting or gone may never answer: do not wait out the release timeout.
          // (The event itself, not the state view, which lags it.)
          String gone = leavingAddress(c.event());
          for (NodeIdentity node : release.waiting()) {
            if (node.address().equals(gone)) context.getSelf().tell(new ReleaseDone(node, false, false, "it is leaving the cluster"));
          }
          return Behaviors.same();
        })
);
  }

  /** A holder went quiet: poll the ledgers until no lease they granted can still run, then claim. */
  private Behavior<Command> awaitBacking(NodeIdentity target, long deadline) {
    Set<String> asked = new HashSet<>();
    for (String node : nodes.ledgerNodes()) {
      if (members.isMember(node) && !suspects.contains(node) && members.isReachable(node)) asked.add(node);
    }
    LeaseFence fence = new LeaseFence(++round, deadline, asked);
    for (String node : asked) {
      Ask.ask(context, EpochLedger.Backing.class, nodes.ledgerOf(node), settings.promiseTimeout(),
          replyTo -> new EpochLedger.GetBacking(group.name(), epoch, replyTo), (backing, failure) -> new BackingDone(fence.id, node, backing));
    }
    if (fence.done()) return afterBacking(fence, target);
    return state(common(Mode.BUSY)
        .onMessage(BackingDone.class, done -> {
          if (done.round() != fence.id) return Behaviors.same();
          fence.answered(done.node(), done.backing());
          return fence.done() ? afterBacking(fence, target) : Behaviors.same();
        })
);
  }

  private Behavior<Command> afterBacking(LeaseFence fence, NodeIdentity target) {
    LeaseFence.Step step = fence.next(System.nanoTime(), settings.lease().driftMargin().toNanos(), promisedAt, fenceNanos);
    if (!(step instanceof LeaseFence.LookAgain again)) return claim(target);
    return fencing(Duration.ofNanos(again.nanos()), () -> again.last() ? claim(target) : awaitBacking(target, again.deadline()));
  }

  /** The old holder sent the claim on to the target: its answer comes here, as an ordered claim's would. */
  private Behavior<Command> awaitHandedClaim(NodeIdentity target) {
    if (handedEarly != null) return onClaimDone(handedEarly);
    timers.startSingleTimer(HandedClaimLate.class, new HandedClaimLate(epoch), settings.claimTimeout());
    return state(common(Mode.BUSY)
        .onMessage(HandedClaimDone.class, h -> {
          if (h.done().epoch() != epoch) return Behaviors.same();
          timers.cancel(HandedClaimLate.class);
          return onClaimDone(h.done());
        })
        .onMessage(HandedClaimLate.class, late -> late.epoch() != epoch ? Behaviors.same()
            : onClaimDone(new ClaimDone(target, epoch, false, "no answer to the claim the old holder handed on, within claim-timeout")))
);
  }

  private Behavior<Command> claim(NodeIdentity target) {
    ActorRef<InterfaceActor.Command> iface = nodes.interfaceOf(target.address());
    if (iface == null) {
      context.getSelf().tell(new ClaimDone(target, epoch, false, UNLISTED));
      return state(common(Mode.BUSY).onMessage(ClaimDone.class, this::onClaimDone));
    }
    Ask.ask(context, InterfaceActor.ClaimResult.class, iface, settings.claimTimeout(),
        replyTo -> new InterfaceActor.Claim(group, epoch, watcher(), replyTo),
        (result, failure) -> result != null
            ? new ClaimDone(target, result.epoch(), result.claimed(), result.error())
            : new ClaimDone(target, epoch, false, "no answer: " + failure.getMessage()));
    return state(common(Mode.BUSY)
        .onMessage(ClaimDone.class, this::onClaimDone)
);
  }

  private Behavior<Command> onClaimDone(ClaimDone done) {
    if (!done.claimed()) {
      lastFailed = done.node();
      failedClaims++;
      return waitAndRecheck("claim on " + done.node().name() + " failed (" + failedClaims + " in a row): " + done.error());
    }
    holder = done.node();
    lastFailed = null;
    failedClaims = 0;
    suspects = Set.of();
    placedAt = System.nanoTime();
    context.getLog().info("group {} placed on {} (epoch {})", group.name(), holder.name(), done.epoch());
    lastTakeover = timeline.done(group.name(), holder.name(), done.epoch());
    context.getLog().info("TAKEOVER group={} {}", group.name(), TakeoverTimeline.describe(lastTakeover));
    context.getSystem().eventStream().tell(new EventStream.Publish<>(lastTakeover));
    timeline = TakeoverTimeline.initial();
    vacated();
    shareEpoch();
    return holding();
  }

  /**
   * A node is completing a claim an earlier decider ordered (the singleton just moved here): let it
   * finish and look again, instead of promising a newer epoch that would supersede a claim about to
   * serve (a release and a second claim on the same node). Bounded by claim-timeout.
   */
  private Behavior<Command> awaitClaim(Map.Entry<NodeIdentity, Long> claim) {
    context.getLog().info("group {}: {} is completing a claim of epoch {} (an earlier decider's order); looking again in {} ms",
        group.name(), claim.getKey().name(), claim.getValue(), CLAIM_RECHECK.toMillis());
    holder = null;
    timers.startSingleTimer(Recheck.INSTANCE, CLAIM_RECHECK);
    return holding();
  }

  /**
   * The group prefers nodes and no epoch of it was ever promised here: its first placement in this
   * cluster, which should see every node. (Not a takeover: a group that was held waits for nobody.)
   */
  private boolean firstPlacementOfAPreference(SurveyRound survey) {
    return !group.placement().prefer().isEmpty() && survey.holders(group.name()).isEmpty()
        && survey.highestEpoch(group.name(), epoch) == 0;
  }

  private Behavior<Command> waitAndRecheck(String reason) {
    context.getLog().warn("group {} not placed: {}", group.name(), reason);
    vacated();
    // A rebalance that cannot be decided now is the board's to ask again: carried out later it would
    // move a group the board has since counted elsewhere (an operator's request waits).
    if (requested != null && requested.reason() == MoveReason.REBALANCE) requested = null;
    holder = null;
    // Trust is re-earned each round: one still unreachable is skipped again, a live one is asked.
    suspects = Set.of();
    timers.startSingleTimer(Recheck.INSTANCE, claimPause(settings.claimRetry(), failedClaims));
    return holding();
  }

  /**
   * Claims that fail again and again (an address another host has, a broken interface) are tried
   * less often: claim-retry, doubled per failure in a row, at most 10 s; each try costs an epoch.
   * A change of the membership still looks again at once.
   */
  static Duration claimPause(Duration retry, int failedInARow) {
    if (failedInARow <= 1) return retry;
    long millis = retry.toMillis() << Math.min(failedInARow - 1, 10);
    return Duration.ofMillis(Math.min(Math.max(millis, retry.toMillis()), 10_000));
  }

  /** Steady state: the group has a holder (or none can be found); re-decide when that changes. */
  private Behavior<Command> holding() {
    board.tell(new PlacementBoard.Placed(group.name(), holder, group.placement(), context.getSelf()));
    timers.startTimerWithFixedDelay(VerifyHolder.INSTANCE, settings.holderCheckInterval());
    watchRenewals();
    if (deferred != null) {
      context.getSelf().tell(deferred);
      deferred = null;
    }
    return state(common(Mode.STEADY)
        .onMessage(ClusterChanged.class, c -> { shareEpoch(); return recheck(); })
        .onMessage(Recheck.class, r -> recheck())
        .onMessage(VerifyHolder.class, v -> preempting() || holderDrained() ? placeAgain() : verifyHolder())
        .onMessage(HolderAnswer.class, this::onHolderAnswer)
        .onMessage(RenewalAnswer.class, this::onRenewalAnswer)
        .onMessage(MoveTo.class, this::onMoveTo)
        .onMessage(Vacate.class, this::onVacate)
);
  }

  /** Release on this (leaving) node and stop only when it is confirmed or the timeout passes. */
  private Behavior<Command> handOver() {
    // The decider goes (to another node, or with its group): this node's watch need not ask for it any more.
    renewals.tell(new RenewalWatch.Unwatch(group.name()));
    Optional<ActorRef<InterfaceActor.Command>> local = nodes.localInterface();
    if (local.isEmpty()) return Behaviors.stopped();
    NodeIdentity self = self(null);
    Ask.ask(context, InterfaceActor.ReleaseResult.class, local.get(), settings.releaseTimeout(),
        replyTo -> new InterfaceActor.Release(group.name(), "hand-over", replyTo),
        (result, failure) -> new ReleaseDone(self, result != null && result.released(), result != null,
            result != null ? result.error() : String.valueOf(failure)));
    return Behaviors.receive(Command.class)
        .onMessage(ReleaseDone.class, done -> {
          if (!done.released()) context.getLog().error("group {}: release at hand-over failed: {}", group.name(), done.error());
          return Behaviors.stopped();
        })
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /**
   * What every state handles alike: listings, the hand-over, and a move asked for while a
   * placement is under way (an operator's is taken up once it is done; a rebalance is asked again). Unknown messages (answers of
   * an earlier round) are dropped by each state.
   */
  private BehaviorBuilder<Command> common(Mode mode) {
    BehaviorBuilder<Command> builder = Behaviors.receive(Command.class)
        .onMessage(HandOver.class, h -> handOver())
        .onMessage(Listed.class, l -> {
          boolean both = nodes.listed(l.listing());
          if (mode == Mode.IDLE) return both ? survey() : Behaviors.same();
          if (mode == Mode.BUSY) return Behaviors.same();
          shareEpoch();
          return recheck();
        });
    if (mode == Mode.STEADY) return builder;
    builder.onMessage(Vacate.class, v -> {
      // Taken up when this placement is done: if it left the group on the stopping node, it moves then.
      deferred = v;
      return Behaviors.same();
    });
    return builder.onMessage(MoveTo.class, m -> {
      if (m.reason() == MoveReason.REBALANCE) {
        // The board asks again once this placement is reported: a stale rebalance would move a
        // group it has since counted elsewhere.
        context.getLog().info("group {}: rebalance to {} dropped while a placement is under way", group.name(), m.address());
        return Behaviors.same();
      }
      context.getLog().info("group {}: move to {} ({}) taken up once the placement under way is done", group.name(), m.address(), m.reason());
      if (!(deferred instanceof Vacate)) deferred = m;
      return Behaviors.same();
    });
  }

  /** Where the common handlers are used: before the first listing, during a placement, in the steady state. */
  private enum Mode { IDLE, BUSY, STEADY }

  /** A state's handlers, then whatever else comes (answers of an earlier round, ticks) is dropped. */
  private static Behavior<Command> state(BehaviorBuilder<Command> handlers) {
    return handlers.onAnyMessage(m -> Behaviors.same()).build();
  }

  /** Status queries and drained nodes, whatever the decider is doing. */
  private static final class EveryState extends BehaviorInterceptor<Command, Command> {
    private final Decider decider;

    EveryState(Decider decider) {
      super(Command.class);
      this.decider = decider;
    }

    @Override
    public Behavior<Command> aroundReceive(TypedActorContext<Command> ctx, Command msg, ReceiveTarget<Command> target) {
      if (msg instanceof GetStatus get) {
        get.replyTo().tell(decider.status());
        return Behaviors.same();
      }
      if (msg instanceof DrainedChanged changed) {
        decider.drained = changed.nodes().names();
        // In the steady state this checks at once whether the holder must move away.
        return target.apply(ctx, VerifyHolder.INSTANCE);
      }
      return target.apply(ctx, msg);
    }
  }

  // ---- watching the holder (steady state) ----

  private Behavior<Command> recheck() {
    if (holder == null) return survey();
    // This node's own detector: another member's stale report (just after a heal) moves nothing.
    Optional<HolderWatch.Verdict> verdict = HolderWatch.membership(members.isMember(holder.address()),
        members.leavingOrExiting(holder.address()), members.reachesDirectly(holder.address()), holder.address().equals(members.selfAddress()));
    return verdict.map(this::act).orElse(Behaviors.same());
  }

  private Behavior<Command> act(HolderWatch.Verdict verdict) {
    if (verdict instanceof HolderWatch.PlaceAgain again) {
      timeline = new TakeoverTimeline(again.path(), holder.name(), 0);
      return survey();
    }
    HolderWatch.Suspect suspect = (HolderWatch.Suspect) verdict;
    context.getLog().warn("SUSPECT group={} holder={}: {}; moving it without waiting for the node to be downed",
        group.name(), holder.name(), suspect.why());
    timeline = new TakeoverTimeline(TakeoverPath.LEASE, holder.name(), suspect.detectionNanos());
    Set<String> more = new HashSet<>(suspects);
    more.add(holder.address());
    suspects = Set.copyOf(more);
    lastFailed = holder;
    holder = null;
    return survey();
  }

  private Behavior<Command> verifyHolder() {
    if (holder == null || nodes.interfaceOf(holder.address()) == null) return Behaviors.same();
    NodeIdentity asked = holder;
    Ask.ask(context, InterfaceActor.Holdings.class, nodes.interfaceOf(holder.address()), settings.surveyTimeout(),
        InterfaceActor.QueryHoldings::new, (answer, failure) -> new HolderAnswer(asked, answer));
    return Behaviors.same();
  }

  /** A holder that released on its own (link down, lost quorum) no longer holds: place again. */
  private Behavior<Command> onHolderAnswer(HolderAnswer answer) {
    if (answer.holdings() == null || !answer.node().equals(holder)) return Behaviors.same();
    if (answer.holdings().held().containsKey(group.name())) return Behaviors.same();
    context.getLog().warn("group {}: {} no longer holds it; placing it again", group.name(), holder.name());
    timeline = new TakeoverTimeline(TakeoverPath.RELEASED, holder.name(), 0);
    lastFailed = holder;
    holder = null;
    return survey();
  }

  /** The node's renewal watch looks after a holder elsewhere (a holder on this node renews with its own ledger). */
  private void watchRenewals() {
    if (holder == null || holder.address().equals(members.selfAddress())) renewals.tell(new RenewalWatch.Unwatch(group.name()));
    else renewals.tell(new RenewalWatch.Watch(group.name(), holder.address(), placedAt, suspected));
  }

  private Behavior<Command> onRenewalAnswer(RenewalAnswer answer) {
    RenewalWatch.Suspected s = answer.suspected();
    Optional<HolderWatch.Verdict> verdict = holder == null || !s.holder().equals(holder.address()) ? Optional.empty()
        : HolderWatch.renewal(s.sinceNanos(), System.nanoTime() - placedAt, settings.lease().suspectAfter());
    if (verdict.isPresent()) return act(verdict.get());
    // About an earlier holder: the watch ended with the word, so the current one is watched again.
    watchRenewals();
    return Behaviors.same();
  }

  private Behavior<Command> onMoveTo(MoveTo move) {
    if (holder == null || holder.address().equals(move.address())) return Behaviors.same();
    context.getLog().info("group {}: moving from {} ({})", group.name(), holder.name(), move.reason());
    timeline = new TakeoverTimeline(TakeoverPath.MOVE, holder.name(), 0);
    requested = move;
    return survey();
  }

  /** The holder is stopping: place the group again now, while the holder still answers the release. */
  private Behavior<Command> onVacate(Vacate vacate) {
    if (holder == null || !holder.address().equals(vacate.address())) {
      vacate.replyTo().tell(Done.getInstance());
      return Behaviors.same();
    }
    vacating.add(vacate.replyTo());
    stoppingHolder = holder;
    leaving = holder;
    context.getLog().info("group {}: moving from {}, which is stopping", group.name(), holder.name());
    timeline = new TakeoverTimeline(TakeoverPath.MOVE, holder.name(), 0);
    return survey();
  }

  /** The stopping nodes that waited hear that this placement is over. */
  private void vacated() {
    vacating.forEach(v -> v.tell(Done.getInstance()));
    vacating.clear();
    leaving = null;
  }

  /** A drained holder, or a preferring group that may take a better node back: decide again. */
  private Behavior<Command> placeAgain() {
    if (holderDrained()) timeline = new TakeoverTimeline(TakeoverPath.DRAIN, holder.name(), 0);
    return survey();
  }

  private boolean holderDrained() {
    return holder != null && drained.contains(holder.name());
  }

  /** A preferring group that would take a better node back looks at every node, not just its holder. */
  private boolean preempting() {
    return group.placement().preempt() && !group.placement().balanced() && holder != null
        && group.placement().rank(holder.name(), Set.of()) > 0;
  }

  // ---- helpers ----

  /**
   * Every ledger learns the current epoch, also a node's that joined after it was promised, as
   * soon as its ledger is listed: a later decider on any surviving set then sees it and never
   * reuses it.
   */
  private void shareEpoch() {
    if (holder == null || epoch == 0) return;
    for (String node : nodes.ledgerNodes()) {
      nodes.ledgerOf(node).tell(new EpochLedger.Promise(group.name(), epoch, holder.address(), context.getSystem().ignoreRef()));
    }
  }

  private void askRelease(NodeIdentity node, String reason, InterfaceActor.HandOff handOff, long whenPromised) {
    ActorRef<InterfaceActor.Command> iface = nodes.interfaceOf(node.address());
    if (iface == null) {
      // Gone from the listing between the survey and now (crashed, left): it cannot answer; the lease fence covers it.
      context.getSelf().tell(new ReleaseDone(node, false, false, UNLISTED));
      return;
    }
    Ask.ask(context, InterfaceActor.ReleaseResult.class, iface, settings.releaseTimeout(),
        replyTo -> new InterfaceActor.Release(group.name(), reason, replyTo, handOff, whenPromised),
        (result, failure) -> result != null
            ? new ReleaseDone(node, result.released(), true, result.error(), result.handedOff())
            : new ReleaseDone(node, false, false, "no answer: " + failure.getMessage()));
  }

  private static String leavingAddress(Object event) {
    if (event instanceof ClusterEvent.MemberExited e) return e.member().address().toString();
    if (event instanceof ClusterEvent.MemberRemoved e) return e.member().address().toString();
    if (event instanceof ClusterEvent.MemberDowned e) return e.member().address().toString();
    return "";
  }

  private Status status() {
    return new Status(group.name(), holder == null ? "" : holder.name(), epoch, self(null).name(), lastTakeover);
  }

  /** This node as the survey named it (or from settings before any answer). */
  private NodeIdentity self(SurveyRound survey) {
    String address = members.selfAddress();
    return Optional.ofNullable(survey).flatMap(s -> s.identityOf(address)).orElse(new NodeIdentity(settings.nodeName(), address));
  }
}
