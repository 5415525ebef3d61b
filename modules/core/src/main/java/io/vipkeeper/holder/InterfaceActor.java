package io.vipkeeper.holder;

import io.vipkeeper.lease.HolderLeases;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.ledger.Journal;
import io.vipkeeper.membership.QuorumWatch;
import io.vipkeeper.model.NodeIdentity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vipkeeper.CborSerializable;
import io.vipkeeper.OwnershipChanged;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.membership.Quorum;
import java.time.Duration;
import java.util.List;
import io.vipkeeper.model.VipAddress;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The only code that touches the NIC on this node: claims (add the addresses, then announce) and
 * releases (remove them) on the order of a group's {@link Decider}. It refuses an order older
 * than an epoch its {@link EpochLedger} promised, touches the NIC only once a surviving set granted
 * the claim a lease ({@link HolderLeases}), and releases on its own when the lease runs out, when
 * a newer epoch is promised, when its side of a split would not survive ({@link QuorumWatch}), when its member is
 * Exiting, downed or removed, and when the node shuts down.
 */
public final class InterfaceActor {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "vipkeeper-interface");

  /**
   * Where the lease path runs (leases, ledgers, deciders): threads of its own, so a flood of API
   * requests or a busy default dispatcher never delays a renewal past the lease.
   */
  public static final DispatcherSelector LEASE_DISPATCHER = DispatcherSelector.fromConfig("vipkeeper.lease-dispatcher");

  public sealed interface Command {}

  /**
   * Hold {@code group} under {@code epoch}; refused if a newer epoch was promised. {@code watcher}:
   * the ledger that watches this holder's renewals for the decider (null: none), renewed with
   * also before this node has seen it listed.
   */
  public record Claim(VipGroup group, long epoch, ActorRef<EpochLedger.Command> watcher, ActorRef<ClaimResult> replyTo)
      implements Command, CborSerializable {}

  /**
   * A claim of {@code group} under {@code epoch} (already promised) will follow once its holder
   * released it: take the lease now, so the claim adds at once and the clients' gap has no lease
   * round in it. Not answered; dropped when no claim follows within claim-timeout.
   */
  public record Prepare(String group, long epoch, ActorRef<EpochLedger.Command> watcher) implements Command, CborSerializable {}

  /**
   * Stop holding {@code group}; answered also when it was not held. With {@code handOff} (a planned
   * move, else null) the claim goes straight on to the target once the addresses are gone here:
   * one message between the release and the claim instead of two, the clients' gap shorter by one.
   * {@code whenPromised} above 0 (a stopping holder, told beside the promise): not before this
   * node's ledger has promised that epoch, or promise-timeout has passed, so the clients' gap starts
   * about when the target can take its lease, not at the decider's first message.
   */
  public record Release(String group, String reason, ActorRef<ReleaseResult> replyTo, HandOff handOff, long whenPromised)
      implements Command, CborSerializable {

    public Release(String group, String reason, ActorRef<ReleaseResult> replyTo) {
      this(group, reason, replyTo, null, 0);
    }

    public Release(String group, String reason, ActorRef<ReleaseResult> replyTo, HandOff handOff) {
      this(group, reason, replyTo, handOff, 0);
    }
  }

  /** The target's interface actor and the claim it is to get; the claim answers its decider. */
  public record HandOff(ActorRef<Command> to, Claim claim) implements CborSerializable {}

  public record QueryHoldings(ActorRef<Holdings> replyTo) implements Command, CborSerializable {}

  /** Tell {@code subscriber} of every claim and release on this node, starting with what is held now. */
  public record WatchOwnership(ActorRef<OwnershipChanged> subscriber) implements Command {}

  /** The address conflicts this node saw (see {@link ConflictWatch}). */
  public record QueryConflicts(ActorRef<ConflictWatch.Conflicts> replyTo) implements Command, CborSerializable {}

  /** A question for this node's {@link WireWitness}, from another node's {@link AnnouncementCheck}. */
  public record AskWitness(WireWitness.Question question) implements Command, CborSerializable {}

  /** Time to teach the switches where a held vmac group's MAC is. */
  record TeachSwitches(String group) implements Command {}

  /** Time to ask the other nodes whether a claim's gratuitous ARP reached them. */
  record CheckAnnounced(String group, long epoch) implements Command {}

  /** The hosts that talk to a just claimed group's addresses: tell them directly. */
  record NeighboursKnown(String group, WireWitness.Neighbours neighbours) implements Command {}

  /** Another host answered for a group's address: announce it again. */
  record Reannounce(String group) implements Command {}

  /** The groups added at run time that exist now (from this node's catalog). */
  public record Catalogued(Map<String, VipGroup> runtime) implements Command {}

  /** Release everything and refuse further claims: the node is leaving or stopping. */
  public record Retire(String reason, ActorRef<Done> replyTo) implements Command {}

  /**
   * A planned stop begins: refuse claims from now on, keep holding (and renewing) until each
   * group's decider has moved it away; answered with the groups held now.
   */
  public record Vacate(ActorRef<Vacating> replyTo) implements Command {}

  public record Vacating(Set<String> held) {}

  /** Round {@code round} of burst {@code burst} (1 first, 2 second); a refresh is a lone round. */
  record AnnounceRound(String group, int round, int burst) implements Command {}

  /** The rest of a round the frame pacing held back: sent a moment later, never by waiting in the actor. */
  record AnnounceRest(String group, List<VipAddress> rest) implements Command {}

  /** A claim that waited for this node's catalog to list its group waited long enough. */
  record CatalogWaitOver(String group) implements Command {}

  /**
   * A release that waited for this node's ledger to promise its epoch waits no longer: from the
   * timer, or from the decider, which has the promise of a surviving set (this node's ledger may be
   * slow or broken).
   */
  public record ReleaseDue(String group) implements Command, CborSerializable {}

  /**
   * No claim follows a Prepare of {@code epoch}: its lease is dropped. From the timer (claim-timeout
   * passed) or from the decider (its promise failed: a target renewing the epoch on would teach it
   * to the ledgers and end the holder's lease without a move).
   */
  public record PrepareLapsed(String group, long epoch) implements Command, CborSerializable {}

  record SelfEvent(ClusterEvent.MemberEvent event) implements Command {}

  record FromLedger(EpochLedger.Notice notice) implements Command {}

  record FromQuorum(QuorumWatch.Verdict verdict) implements Command {}

  record JournalPrepared(Throwable failure) implements Command {}

  /** The ledger stopped (a write to the journal failed: a disk gone read-only or full). */
  enum LedgerStopped implements Command { INSTANCE }

  /** Time to try the journal again (attempt {@code attempt}, 1 = the first retry). */
  record RetryJournal(int attempt) implements Command {}

  enum LinkCheck implements Command { INSTANCE }

  record FromCheck(HealthCheck.Verdict verdict) implements Command {}

  record FromLeases(HolderLeases.Notice notice) implements Command {}

  /** Claims whose lease now holds: carry them out together. */
  enum HoldLeased implements Command { INSTANCE }

  public record ClaimResult(String group, long epoch, NodeIdentity node, boolean claimed, String error) implements CborSerializable {}

  /** {@code handedOff}: released, and the hand-off's claim went on to the target. */
  public record ReleaseResult(String group, NodeIdentity node, boolean released, String error, boolean handedOff)
      implements CborSerializable {

    public ReleaseResult(String group, NodeIdentity node, boolean released, String error) {
      this(group, node, released, error, false);
    }
  }

  /**
   * What a node holds (group → epoch), the highest epoch it knows per group, whether it can claim,
   * its weight for balanced placement, and why it is only an observer ("" when it is not: see
   * {@link #observing}).
   */
  public record Holdings(NodeIdentity node, Map<String, Long> held, Map<String, Long> highestEpoch, boolean canClaim,
      double weight, Map<String, Long> heldSinceMillis, String observer, Map<String, Long> claiming) implements CborSerializable {

    /** {@code claiming}: groups whose claim (group → epoch) waits for its lease here, ordered by some decider. */
    public Holdings {
      claiming = claiming == null ? Map.of() : Map.copyOf(claiming);
    }

    /** Holdings of a node with no claim under way. */
    public Holdings(NodeIdentity node, Map<String, Long> held, Map<String, Long> highestEpoch, boolean canClaim, double weight,
        Map<String, Long> heldSinceMillis, String observer) {
      this(node, held, highestEpoch, canClaim, weight, heldSinceMillis, observer, Map.of());
    }

    /** Not a property of its own: the wire carries {@code observer}, the reason. */
    @JsonIgnore
    public boolean isObserver() {
      return !observer.isEmpty();
    }
  }

  public static Behavior<Command> create(VipKeeperSettings settings, NodeIdentity node, Drivers drivers, Quorum quorum) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.withStash(1000, stash -> {
      NicWork nic = new NicWork(settings.interfaceName(), drivers, context.getLog());
      if (settings.reconcileAtStart()) nic.reconcile(settings.groups());
      context.pipeToSelf(Journal.prepare(context.getSystem()), (done, failure) -> new JournalPrepared(failure));
      context.spawn(QuorumWatch.create(quorum, settings.releaseAfter(), context.messageAdapter(QuorumWatch.Verdict.class, FromQuorum::new)),
          "quorum", DispatcherSelector.defaultDispatcher());
      Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.MemberEvent.class, SelfEvent::new), ClusterEvent.MemberEvent.class));
      return new InterfaceActor(context, timers, node, nic, settings, quorum).starting(stash);
    })));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final NodeIdentity node;
  private final NicWork nic;
  private final VipKeeperSettings settings;
  private final Quorum quorum;
  private ActorRef<EpochLedger.Command> ledger;

  private InterfaceActor(ActorContext<Command> context, TimerScheduler<Command> timers, NodeIdentity node, NicWork nic,
      VipKeeperSettings settings, Quorum quorum) {
    this.context = context;
    this.timers = timers;
    this.node = node;
    this.nic = nic;
    this.settings = settings;
    this.quorum = quorum;
  }

  /** Until the journal is open and the ledger has recovered, nothing is decided: orders wait. */
  private Behavior<Command> starting(StashBuffer<Command> stash) {
    return Behaviors.receive(Command.class)
        .onMessage(JournalPrepared.class, j -> onPrepared(j, stash, 0))
        .onMessage(FromLedger.class, f -> onLedger(f, stash, 0))
        .onAnyMessage(m -> { stash.stash(m); return Behaviors.same(); })
        .build();
  }

  private Behavior<Command> onPrepared(JournalPrepared prepared, StashBuffer<Command> stash, int attempt) {
    if (prepared.failure() != null) return observing("epoch journal unreadable: " + prepared.failure().getMessage(), attempt, stash);
    // A fresh name per attempt: a ledger that failed its recovery may not be gone yet.
    ledger = context.spawn(EpochLedger.create(node.name(), context.messageAdapter(EpochLedger.Notice.class, FromLedger::new)),
        attempt == 0 ? "ledger" : "ledger-" + attempt, LEASE_DISPATCHER);
    return Behaviors.same();
  }

  private Behavior<Command> onLedger(FromLedger from, StashBuffer<Command> stash, int attempt) {
    if (from.notice() instanceof EpochLedger.Ready ready) {
      if (attempt > 0) context.getLog().info("OBSERVER NO MORE: the epoch journal opened after {} retries; this node takes part again", attempt);
      return onLedgerReady(ready, stash);
    }
    if (from.notice() instanceof EpochLedger.Failed failed) return observing("epoch journal unreadable: " + failed.reason(), attempt, stash);
    return Behaviors.same();
  }

  private Behavior<Command> onLedgerReady(EpochLedger.Ready ready, StashBuffer<Command> stash) {
    context.getLog().info("LEDGER promised={} held-at-stop={}", ready.promised(), ready.holding());
    ready.holding().forEach((group, epoch) -> context.getLog().warn(
        "the journal says this node held group {} at epoch {} when it stopped (crash or kill -9); it holds nothing now", group, epoch));
    ready.holding().forEach((group, epoch) -> ledger.tell(new EpochLedger.Record(group, epoch, false, "restart after crash")));
    context.watchWith(ledger, LedgerStopped.INSTANCE);
    return stash.unstashAll(VipHolder.start(context, timers, node, nic, settings, quorum, ledger, ready));
  }

  /**
   * The journal cannot be opened: this node is an observer. It holds nothing, refuses every claim,
   * and its ledger is not listed, so it neither promises nor grants and never holds the others up.
   * It tries the journal again with a growing pause (1 s, 2 s, ... 30 s): a transient error (a pool
   * timeout on a loaded host, a lock held by a dying process) heals on its own; a corrupt file keeps
   * it an observer, shown in GET /cluster, /ready and the metrics, until it is fixed.
   */
  private Behavior<Command> observing(String reason, int attempt, StashBuffer<Command> stash) {
    Duration pause = journalPause(attempt);
    if (attempt == 0) {
      context.getLog().error("OBSERVER: {}: this node holds nothing and refuses claims; the others go on without it. Trying again"
          + " every {}-30 s; if it stays, fix or move vipkeeper.data-dir ({}) and restart", reason, pause.toSeconds(), settings.dataDir());
      context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
    } else {
      context.getLog().warn("OBSERVER: {} (retry {}); next try in {} s", reason, attempt, pause.toSeconds());
    }
    timers.startSingleTimer(new RetryJournal(attempt + 1), pause);
    return asObserver(reason)
        .onMessage(RetryJournal.class, r -> {
          context.pipeToSelf(Journal.prepare(context.getSystem()), (done, failure) -> new JournalPrepared(failure));
          return observingUntil(reason, r.attempt(), stash);
        })
        .onMessage(LedgerStopped.class, l -> Behaviors.same())
        .onAnyMessage(m -> keep(stash, m))
        .build();
  }

  /** Observing while a retry is under way: its outcome decides. */
  private Behavior<Command> observingUntil(String reason, int attempt, StashBuffer<Command> stash) {
    return asObserver(reason)
        .onMessage(JournalPrepared.class, j -> onPrepared(j, stash, attempt))
        .onMessage(FromLedger.class, f -> onLedger(f, stash, attempt))
        .onMessage(RetryJournal.class, r -> Behaviors.same())
        .onMessage(LedgerStopped.class, l -> Behaviors.same())
        .onAnyMessage(m -> keep(stash, m))
        .build();
  }

  /** An observer's answers: it holds nothing and claims nothing. */
  private BehaviorBuilder<Command> asObserver(String reason) {
    return Behaviors.receive(Command.class)
        .onMessage(Claim.class, c -> refuse(c, "this node is an observer: " + reason))
        .onMessage(Release.class, r -> reply(r.replyTo(), new ReleaseResult(r.group(), node, true, "")))
        .onMessage(QueryHoldings.class, q -> reply(q.replyTo(), observerHoldings(reason)))
        .onMessage(QueryConflicts.class, q -> reply(q.replyTo(), new ConflictWatch.Conflicts(0, List.of())))
        .onMessage(Retire.class, r -> reply(r.replyTo(), Done.getInstance()))
        .onMessage(Vacate.class, v -> reply(v.replyTo(), new Vacating(Set.of())));
  }

  /** The pause before journal retry {@code attempt + 1}: 1, 2, 4 ... 30 s (at start and while running). */
  static Duration journalPause(int attempt) {
    return Duration.ofSeconds(Math.min(30, 1L << Math.min(attempt, 5)));
  }

  private Holdings observerHoldings(String reason) {
    return new Holdings(node, Map.of(), Map.of(), false, settings.nodeWeight(), Map.of(), reason);
  }

  private Behavior<Command> refuse(Claim claim, String why) {
    return reply(claim.replyTo(), new ClaimResult(claim.group().name(), claim.epoch(), node, false, why));
  }

  private static <T> Behavior<Command> reply(ActorRef<T> to, T answer) {
    to.tell(answer);
    return Behaviors.same();
  }

  /** Orders for later (catalog, subscriptions, cluster events) wait; past the stash's size the newest are dropped. */
  private static Behavior<Command> keep(StashBuffer<Command> stash, Command message) {
    if (!stash.isFull()) stash.stash(message);
    return Behaviors.same();
  }
}
