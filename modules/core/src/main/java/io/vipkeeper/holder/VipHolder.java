package io.vipkeeper.holder;

import io.vipkeeper.OwnershipChanged;
import io.vipkeeper.VipEvent;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.lease.HolderLeases;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.ledger.Journal;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.membership.QuorumWatch;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import java.util.Locale;

/**
 * The interface actor once its ledger is ready: claims (a lease first, then the addresses, then
 * the announcements) and releases on the order of a group's decider. It refuses an order older than
 * an epoch its {@link EpochLedger} promised, touches the NIC only once a surviving set granted the
 * claim a lease ({@link HolderLeases}), keeps the kernel fence at the lease's end, and releases on
 * its own when the lease runs out or lapsed (a frozen JVM), when a newer epoch is promised, when
 * its {@link Fitness} fails (no quorum, link down, failing check), when its member is Exiting,
 * downed or removed, and when the node shuts down.
 */
final class VipHolder {

  private final ActorContext<InterfaceActor.Command> context;
  private final TimerScheduler<InterfaceActor.Command> timers;
  private final NodeIdentity node;
  private final NicWork nic;
  private final VipKeeperSettings settings;
  private final Quorum quorum;
  /** Replaced when the journal is opened again after a failure. */
  private ActorRef<EpochLedger.Command> ledger;
  private final ActorRef<HolderLeases.Command> leases;
  private final ActorRef<NotifyHooks.Event> hooks;
  private ActorRef<ConflictWatch.Command> conflicts;
  private ActorRef<WireWitness.Command> witness;
  /** The interface's own MAC: what a garp group's announcements carry. */
  private String interfaceMac = "";
  private final Map<String, Held> held = new HashMap<>();
  private final Map<String, Long> promised = new HashMap<>();
  /** Where each leased group's lease ends (nanoTime), as granted: the kernel fence is set to it. */
  private final Map<String, Long> leaseUntil = new HashMap<>();
  private final List<ActorRef<OwnershipChanged>> subscribers = new ArrayList<>();
  /** Claims of groups this node's catalog does not list yet (just added), by group. */
  private final Map<String, InterfaceActor.Claim> awaitingCatalog = new HashMap<>();
  /** Claims waiting for their first lease grant, with when they arrived. */
  private final Map<String, Pending> pending = new HashMap<>();
  /** Groups leased ahead of their claim (the target of a planned move), by epoch. */
  private final Map<String, Long> prepared = new HashMap<>();
  /** Prepared groups whose lease a surviving set already granted, by that epoch: their claim adds at once. */
  private final Map<String, Long> heldAhead = new HashMap<>();
  /** Groups not held whose addresses the kernel fence guards already (guarded ahead of their claim). */
  private final Map<String, VipGroup> guardedAhead = new HashMap<>();
  /** Releases of a stopping holder waiting for this node's ledger to promise their epoch, by group. */
  private final Map<String, InterfaceActor.Release> releaseWhenPromised = new HashMap<>();
  /** Pending claims whose lease now holds, carried out together by the next HoldLeased. */
  private final Set<String> leasedReady = new LinkedHashSet<>();
  private Fitness fitness;
  /** Runtime groups this node knows; null until the catalog first said. */
  private Map<String, VipGroup> runtime;

  /** A group this node holds, since when (wall clock, kept when a newer epoch is claimed here again). */
  private record Held(VipGroup group, long epoch, long sinceMillis) {}

  private record Pending(InterfaceActor.Claim claim, long arrivedNanos) {}

  private static final String REFRESH = "refresh-";
  private static final String REST = "rest-";
  private static final String LEARN = "learn-";
  private static final String VERIFY = "verify-";
  /** How long a claim's directed ARP waits for the other nodes' lists of talkers. */
  private static final Duration NEIGHBOUR_POLL = Duration.ofMillis(300);
  private static final String CATALOG = "catalog-";
  private static final String PREPARED = "prepared-";
  private static final String RELEASE_DUE = "release-due-";
  /** Below the deciders' claim-timeout (3 s by default): a refusal still reaches them in time. */
  private static final Duration CATALOG_WAIT = Duration.ofMillis(1500);
  /** The least lease a claim starts with: below it the kernel fence would close at once. */
  private static final long MIN_LEASE_LEFT_NANOS = 50_000_000;

  private VipHolder(ActorContext<InterfaceActor.Command> context, TimerScheduler<InterfaceActor.Command> timers, NodeIdentity node,
      NicWork nic, VipKeeperSettings settings, Quorum quorum, ActorRef<EpochLedger.Command> ledger,
      ActorRef<HolderLeases.Command> leases) {
    this.context = context;
    this.timers = timers;
    this.node = node;
    this.nic = nic;
    this.settings = settings;
    this.quorum = quorum;
    this.ledger = ledger;
    this.leases = leases;
    this.hooks = context.spawn(NotifyHooks.create(settings.hooks()), "notify", DispatcherSelector.fromConfig("vipkeeper.notify-dispatcher"));
    this.fitness = settings.witness() ? Fitness.WITNESS : Fitness.FIT;
  }

  /** The ledger is ready: start the lease, conflict and health watches, take orders. */
  static Behavior<InterfaceActor.Command> start(ActorContext<InterfaceActor.Command> context, TimerScheduler<InterfaceActor.Command> timers,
      NodeIdentity node, NicWork nic, VipKeeperSettings settings, Quorum quorum, ActorRef<EpochLedger.Command> ledger,
      EpochLedger.Ready ready) {
    ActorRef<HolderLeases.Command> leases = context.spawn(HolderLeases.create(settings.lease(), quorum,
        context.messageAdapter(HolderLeases.Notice.class, InterfaceActor.FromLeases::new)), "leases", InterfaceActor.LEASE_DISPATCHER);
    VipHolder holder = new VipHolder(context, timers, node, nic, settings, quorum, ledger, leases);
    holder.promised.putAll(ready.promised());
    holder.watchConflicts();
    context.getSystem().receptionist().tell(Receptionist.register(InterfaceActor.KEY, context.getSelf()));
    if (!settings.linkCheckInterval().isZero()) timers.startTimerWithFixedDelay(InterfaceActor.LinkCheck.INSTANCE, settings.linkCheckInterval());
    if (!settings.check().command().isBlank()) {
      context.spawn(HealthCheck.create(settings.check(), context.messageAdapter(HealthCheck.Verdict.class, InterfaceActor.FromCheck::new)),
          "check", DispatcherSelector.fromConfig("vipkeeper.check-dispatcher"));
    }
    return holder.active();
  }

  /** The sensor feeds the conflict watch and the wire witness; without conflict detection, neither runs. */
  private void watchConflicts() {
    try {
      interfaceMac = nic.drivers().driver().link(settings.interfaceName()).mac();
    } catch (DriverException e) {
      interfaceMac = "";
    }
    if (!settings.conflict().detect()) return;
    ActorRef<ConflictWatch.Command> watch = context.spawn(ConflictWatch.create(settings.groups(), interfaceMac,
        settings.conflict().reannounceInterval(), context.messageAdapter(String.class, InterfaceActor.Reannounce::new)), "conflicts",
        DispatcherSelector.defaultDispatcher());
    ActorRef<WireWitness.Command> wire = context.spawn(WireWitness.create(node, settings.groups()), "wire", DispatcherSelector.defaultDispatcher());
    conflicts = watch;
    witness = wire;
    nic.drivers().sensor().start(sighting -> {
      watch.tell(new ConflictWatch.Seen(sighting));
      wire.tell(new WireWitness.Seen(sighting));
    });
  }

  private Behavior<InterfaceActor.Command> active() {
    return Behaviors.receive(InterfaceActor.Command.class)
        .onMessage(InterfaceActor.Reannounce.class, r -> onAnnounceRound(new InterfaceActor.AnnounceRound(r.group(), 0, 2)))
        .onMessage(InterfaceActor.QueryConflicts.class, this::onQueryConflicts)
        .onMessage(InterfaceActor.Claim.class, this::onClaim)
        .onMessage(InterfaceActor.Prepare.class, this::onPrepare)
        .onMessage(InterfaceActor.PrepareLapsed.class, this::onPrepareLapsed)
        .onMessage(InterfaceActor.Release.class, this::onRelease)
        .onMessage(InterfaceActor.ReleaseDue.class, this::onReleaseDue)
        .onMessage(InterfaceActor.Catalogued.class, this::onCatalogued)
        .onMessage(InterfaceActor.CatalogWaitOver.class, this::onCatalogWaitOver)
        .onMessage(InterfaceActor.WatchOwnership.class, this::onSubscribe)
        .onMessage(InterfaceActor.QueryHoldings.class, q -> onQuery(q, fitness.fit()))
        .onMessage(InterfaceActor.Retire.class, this::onRetire)
        .onMessage(InterfaceActor.Vacate.class, this::onVacate)
        .onMessage(InterfaceActor.AnnounceRound.class, this::onAnnounceRound)
        .onMessage(InterfaceActor.AnnounceRest.class, this::onAnnounceRest)
        .onMessage(InterfaceActor.AskWitness.class, this::onAskWitness)
        .onMessage(InterfaceActor.TeachSwitches.class, t -> onTeach(t.group()))
        .onMessage(InterfaceActor.CheckAnnounced.class, this::onCheckAnnounced)
        .onMessage(InterfaceActor.NeighboursKnown.class, this::onNeighboursKnown)
        .onMessage(InterfaceActor.SelfEvent.class, this::onSelfEvent)
        .onMessage(InterfaceActor.FromLedger.class, this::onLedgerNotice)
        .onMessage(InterfaceActor.FromQuorum.class, this::onQuorum)
        .onMessage(InterfaceActor.LinkCheck.class, l -> onLinkCheck())
        .onMessage(InterfaceActor.FromCheck.class, this::onCheck)
        .onMessage(InterfaceActor.FromLeases.class, this::onLease)
        .onMessage(InterfaceActor.HoldLeased.class, h -> onHoldLeased())
        .onMessage(InterfaceActor.LedgerStopped.class, l -> onLedgerStopped())
        .onMessage(InterfaceActor.RetryJournal.class, this::onRetryJournal)
        .onMessage(InterfaceActor.JournalPrepared.class, this::onJournalPrepared)
        .build();
  }

  /**
   * The ledger stopped: a write to the journal failed (the disk went read-only or full). A node that
   * cannot persist a promise must not vote or hold: it releases everything and is an observer
   * (its ledger is gone, so it is not listed) until the journal opens again; it tries after 1, 2,
   * 4 ... 30 s.
   */
  private Behavior<InterfaceActor.Command> onLedgerStopped() {
    // A retried ledger that fails again: its failure notice already set the next, longer pause.
    if (!fitness.journal().isEmpty()) return Behaviors.same();
    String reason = "the epoch journal failed while running (read-only or full disk in " + settings.dataDir() + "?)";
    context.getLog().error("OBSERVER: {}: releasing everything and refusing claims; trying the journal again", reason);
    fitness = fitness.withJournal(reason);
    retireAll(reason);
    timers.startSingleTimer(new InterfaceActor.RetryJournal(1), Duration.ofSeconds(1));
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onRetryJournal(InterfaceActor.RetryJournal retry) {
    journalAttempt = retry.attempt();
    context.pipeToSelf(Journal.prepare(context.getSystem()), (done, failure) -> new InterfaceActor.JournalPrepared(failure));
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onJournalPrepared(InterfaceActor.JournalPrepared prepared) {
    if (prepared.failure() != null) return retryLater(prepared.failure().getMessage());
    ledger = context.spawn(EpochLedger.create(node.name(), context.messageAdapter(EpochLedger.Notice.class, InterfaceActor.FromLedger::new)),
        "ledger-r" + (++ledgersSpawned), InterfaceActor.LEASE_DISPATCHER);
    context.watchWith(ledger, InterfaceActor.LedgerStopped.INSTANCE);
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> retryLater(String why) {
    Duration pause = InterfaceActor.journalPause(journalAttempt);
    context.getLog().warn("OBSERVER: the epoch journal still fails ({}); next try in {} s", why, pause.toSeconds());
    timers.startSingleTimer(new InterfaceActor.RetryJournal(journalAttempt + 1), pause);
    return Behaviors.same();
  }

  private int journalAttempt;
  /** Names a retried ledger uniquely: one that failed may not be gone yet. */
  private int ledgersSpawned;

  /** Leaving, downed or stopping: nothing is held and every claim is refused. */
  private Behavior<InterfaceActor.Command> retired() {
    return refusing("node " + node.name() + " is leaving the cluster");
  }

  private Behavior<InterfaceActor.Command> refusing(String why) {
    return Behaviors.receive(InterfaceActor.Command.class)
        .onMessage(InterfaceActor.Claim.class, c -> refuse(c, why))
        .onMessage(InterfaceActor.PrepareLapsed.class, this::onPrepareLapsed)
        .onMessage(InterfaceActor.Release.class, this::onRelease)
        .onMessage(InterfaceActor.ReleaseDue.class, this::onReleaseDue)
        .onMessage(InterfaceActor.Catalogued.class, c -> { runtime = c.runtime(); return Behaviors.same(); })
        .onMessage(InterfaceActor.WatchOwnership.class, this::onSubscribe)
        .onMessage(InterfaceActor.QueryConflicts.class, this::onQueryConflicts)
        .onMessage(InterfaceActor.AskWitness.class, this::onAskWitness)
        .onMessage(InterfaceActor.QueryHoldings.class, q -> onQuery(q, false))
        .onMessage(InterfaceActor.Retire.class, r -> { retireAll(r.reason()); r.replyTo().tell(Done.getInstance()); return Behaviors.same(); })
        .onMessage(InterfaceActor.Vacate.class, v -> { v.replyTo().tell(new InterfaceActor.Vacating(Set.copyOf(held.keySet()))); return Behaviors.same(); })
        .onMessage(InterfaceActor.FromLeases.class, f -> {
          if (f.notice() instanceof HolderLeases.LeaseHeld h && leases != null) leases.tell(new HolderLeases.Drop(h.group()));
          return Behaviors.same();
        })
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /** A claim first needs a lease granted by a surviving set; the NIC is touched only then. */
  private Behavior<InterfaceActor.Command> onClaim(InterfaceActor.Claim claim) {
    if (!known(claim.group())) return awaitCatalog(claim);
    String name = claim.group().name();
    boolean wasPrepared = prepared.remove(name) != null;
    Long leasedEpoch = heldAhead.remove(name);
    if (wasPrepared) timers.cancel(PREPARED + name);
    String why = claimBlocked(claim);
    if (!why.isEmpty()) {
      if (wasPrepared) dropUnclaimed(name);
      return refuse(claim, why);
    }
    Pending waiting = new Pending(claim, System.nanoTime());
    Pending previous = pending.put(name, waiting);
    if (previous != null) refuse(previous.claim(), "a newer claim for the group arrived");
    leases.tell(new HolderLeases.Hold(name, claim.epoch(), claim.watcher()));
    // Its lease on this epoch is held already (prepared beside the promise): add now, not after the
    // lease actor's word on the hold, two hops more in the clients' gap.
    if (leasedEpoch != null && leasedEpoch == claim.epoch() && leaseLeft(name) >= MIN_LEASE_LEFT_NANOS) leased(waiting);
    return Behaviors.same();
  }

  /**
   * The target of a planned move: the lease before the claim (the epoch is promised already), so
   * the claim adds as soon as it comes and the clients' gap holds no lease round. Nothing else.
   */
  private Behavior<InterfaceActor.Command> onPrepare(InterfaceActor.Prepare prepare) {
    String name = prepare.group();
    if (held.containsKey(name) || pending.containsKey(name) || prepare.epoch() < promised.getOrDefault(name, 0L)
        || !fitness.why(settings.interfaceName()).isEmpty()) return Behaviors.same();
    prepared.put(name, prepare.epoch());
    long asked = System.nanoTime();
    boolean fresh = !leaseUntil.containsKey(name);
    leases.tell(new HolderLeases.Hold(name, prepare.epoch(), prepare.watcher()));
    timers.startSingleTimer(PREPARED + name, new InterfaceActor.PrepareLapsed(name, prepare.epoch()), settings.claimTimeout());
    // Guarded while the lease round runs, not after it (the hand-off often came first, and the claim
    // then made the fence's call in the clients' gap). A lease asked for from now on ends no earlier
    // than this element; with no address on the host it lets nothing answer. A lease this node
    // already had could end sooner: that one is guarded when it is held.
    if (fresh) guardAhead(name, asked + settings.lease().duration().toNanos());
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onPrepareLapsed(InterfaceActor.PrepareLapsed lapsed) {
    String name = lapsed.group();
    if (prepared.remove(name, lapsed.epoch())) dropUnclaimed(name);
    return Behaviors.same();
  }

  /** A prepared lease that no claim took over (neither held nor pending here) is not renewed on. */
  private void dropUnclaimed(String name) {
    heldAhead.remove(name);
    if (!held.containsKey(name) && !pending.containsKey(name)) {
      leases.tell(new HolderLeases.Drop(name));
      leaseUntil.remove(name);
      dropGuardAhead(name);
    }
  }

  /** How long the group's lease still runs here (nanos; negative when it ended or there is none). */
  private long leaseLeft(String name) {
    Long until = leaseUntil.get(name);
    return until == null ? -1 : until - System.nanoTime();
  }

  /** A prepared group: its addresses go into the fence now, not in the clients' gap. */
  private void guardAhead(String name, long untilNanos) {
    if (held.containsKey(name) || guardedAhead.containsKey(name)) return;
    VipGroup group = settings.groups().stream().filter(g -> g.name().equals(name)).findFirst()
        .orElse(runtime == null ? null : runtime.get(name));
    if (group != null && nic.guardAhead(group, untilNanos)) guardedAhead.put(name, group);
  }

  /** A group guarded ahead that will not be added here after all: out of the fence again. */
  private void dropGuardAhead(String name) {
    VipGroup group = guardedAhead.remove(name);
    if (group != null && !held.containsKey(name)) nic.unguardAhead(group);
  }

  /**
   * A group just added (or changed) at run time reaches the deciders' node and this one's catalog
   * at different moments: a claim that outran the catalog waits for it (at most CATALOG_WAIT), so
   * the decider's first choice stands instead of being refused and passed over.
   */
  private Behavior<InterfaceActor.Command> awaitCatalog(InterfaceActor.Claim claim) {
    String name = claim.group().name();
    InterfaceActor.Claim earlier = awaitingCatalog.put(name, claim);
    if (earlier != null) refuse(earlier, "a newer claim for the group arrived");
    timers.startSingleTimer(CATALOG + name, new InterfaceActor.CatalogWaitOver(name), CATALOG_WAIT);
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onCatalogWaitOver(InterfaceActor.CatalogWaitOver over) {
    InterfaceActor.Claim claim = awaitingCatalog.remove(over.group());
    if (claim != null) refuse(claim, "group " + over.group() + " is not in this node's catalog as the claim defines it"
        + " (removed or changed meanwhile?)");
    return Behaviors.same();
  }

  /** Claims that waited for the catalog and are known now go on; the others keep waiting. */
  private void catalogCaughtUp() {
    for (InterfaceActor.Claim claim : List.copyOf(awaitingCatalog.values())) {
      if (!known(claim.group())) continue;
      awaitingCatalog.remove(claim.group().name());
      timers.cancel(CATALOG + claim.group().name());
      onClaim(claim);
    }
  }

  /** Why this node cannot take {@code claim} now; "" when it can. */
  private String claimBlocked(InterfaceActor.Claim claim) {
    String name = claim.group().name();
    if (!known(claim.group())) return "group " + name + " is not in this node's catalog as the claim defines it (just added, changed or removed?)";
    long newest = promised.getOrDefault(name, 0L);
    if (claim.epoch() < newest) return "epoch " + claim.epoch() + " is older than epoch " + newest + " already promised";
    return fitness.why(settings.interfaceName());
  }

  private Behavior<InterfaceActor.Command> onLease(InterfaceActor.FromLeases from) {
    if (from.notice() instanceof HolderLeases.LeasesExtended extended) return onExtended(extended);
    if (from.notice() instanceof HolderLeases.LeaseHeld granted) {
      leaseUntil.put(granted.group(), granted.untilNanos());
      Pending waiting = pending.get(granted.group());
      // Guarded at the prepare with the end a lease asked for then would have: the lease's own end now.
      if (guardedAhead.containsKey(granted.group())) nic.extend(Map.of(guardedAhead.get(granted.group()), granted.untilNanos()));
      else if (waiting == null && prepared.containsKey(granted.group())) guardAhead(granted.group(), granted.untilNanos());
      if (waiting == null && Long.valueOf(granted.epoch()).equals(prepared.get(granted.group()))) heldAhead.put(granted.group(), granted.epoch());
      if (waiting == null || waiting.claim().epoch() > granted.epoch()) return Behaviors.same();
      // A grant that arrives with almost no lease left (a loaded host) would fence the address at
      // once: the next renewal, a renew-interval later, carries the claim instead.
      if (granted.untilNanos() - System.nanoTime() < MIN_LEASE_LEFT_NANOS) return Behaviors.same();
      leased(waiting);
      return Behaviors.same();
    }
    HolderLeases.LeaseLost lost = (HolderLeases.LeaseLost) from.notice();
    prepared.remove(lost.group());
    heldAhead.remove(lost.group());
    dropGuardAhead(lost.group());
    if (!held.containsKey(lost.group())) leaseUntil.remove(lost.group());
    Pending waiting = pending.remove(lost.group());
    if (waiting != null) refuse(waiting.claim(), "no lease: " + lost.why());
    if (held.containsKey(lost.group())) {
      context.getLog().warn("LEASE LOST group={} epoch={}: {}: releasing", lost.group(), lost.epoch(), lost.why());
      release(lost.group(), "lease lost: " + lost.why());
    }
    return Behaviors.same();
  }

  /** The kernel fence follows the lease: one transaction for every held group it extends. */
  private Behavior<InterfaceActor.Command> onExtended(HolderLeases.LeasesExtended extended) {
    Map<VipGroup, Long> fence = new HashMap<>();
    extended.untilNanos().forEach((group, until) -> {
      leaseUntil.put(group, until);
      Held holding = held.get(group);
      if (holding != null) fence.put(holding.group(), until);
      else if (guardedAhead.containsKey(group)) fence.put(guardedAhead.get(group), until);
    });
    if (!fence.isEmpty()) nic.extend(fence);
    for (String group : extended.untilNanos().keySet()) {
      Pending waiting = pending.get(group);
      if (waiting != null && extended.untilNanos().get(group) - System.nanoTime() >= MIN_LEASE_LEFT_NANOS) leased(waiting);
    }
    return Behaviors.same();
  }

  /**
   * Checked before anything that says "I hold" (an announcement, a survey answer): a JVM that was
   * frozen or starved past its lease finds out here, before its lease actor's timer has fired, and
   * releases quietly; its kernel stopped answering when the lease ended (the fence). A lapse shorter
   * than a lease is a loaded host's late renewal, which a late grant may still cover: the lease
   * actor decides that one (a false release here would only move the group).
   */
  private void releaseLapsed() {
    long now = System.nanoTime();
    for (String name : List.copyOf(held.keySet())) {
      Long until = leaseUntil.get(name);
      if (until == null || now - until <= settings.lease().duration().toNanos()) continue;
      context.getLog().warn("LEASE LAPSED group={}: it ended {} ms ago (this JVM was stopped or starved); releasing without announcing",
          name, millis(now - until));
      release(name, "lease lapsed while this node was stopped or starved");
    }
  }

  /** Whether the group's lease holds now: an announcement outside it would be dropped by the fence anyway. */
  private boolean leased(String group) {
    Long until = leaseUntil.get(group);
    return until != null && until - System.nanoTime() > 0;
  }

  /**
   * A removed group is released here (whoever decides for it is gone too); at the first listing,
   * runtime groups left on the interface by a killed process are removed, as configured ones are.
   */
  private Behavior<InterfaceActor.Command> onCatalogued(InterfaceActor.Catalogued catalogued) {
    boolean first = runtime == null;
    runtime = catalogued.runtime();
    List<VipGroup> all = new ArrayList<>(settings.groups());
    all.addAll(runtime.values());
    if (conflicts != null) conflicts.tell(new ConflictWatch.Groups(all));
    if (witness != null) witness.tell(new WireWitness.Groups(all));
    if (first && settings.reconcileAtStart()) {
      nic.reconcile(runtime.values().stream().filter(g -> !held.containsKey(g.name()) && !pending.containsKey(g.name())).toList());
    }
    for (Held h : List.copyOf(held.values())) {
      if (!known(h.group())) release(h.group().name(), "removed from the catalog (or changed)");
    }
    for (Pending waiting : List.copyOf(pending.values())) {
      String name = waiting.claim().group().name();
      if (!known(waiting.claim().group())) {
        pending.remove(name);
        abandon(waiting, "removed from the catalog");
      }
    }
    catalogCaughtUp();
    return Behaviors.same();
  }

  /** A group of the config file (by name), or one the catalog lists with exactly this definition. */
  private boolean known(VipGroup group) {
    return settings.groups().stream().anyMatch(g -> g.name().equals(group.name()))
        || (runtime != null && group.equals(runtime.get(group.name())));
  }

  /**
   * A claim's lease holds: it is carried out with the others whose lease came in the same burst
   * (a mass takeover grants dozens in one answer), after one look at the host's addresses.
   */
  private void leased(Pending waiting) {
    String name = waiting.claim().group().name();
    if (pending.get(name) != waiting || !leasedReady.add(name)) return;
    if (leasedReady.size() == 1) context.getSelf().tell(InterfaceActor.HoldLeased.INSTANCE);
  }

  private Behavior<InterfaceActor.Command> onHoldLeased() {
    List<String> ready = List.copyOf(leasedReady);
    leasedReady.clear();
    Set<String> onHost;
    try {
      onHost = nic.hostIps();
    } catch (DriverException e) {
      for (String name : ready) {
        Pending waiting = pending.remove(name);
        if (waiting != null) abandon(waiting, "cannot list this host's addresses: " + e.getMessage());
      }
      return Behaviors.same();
    }
    long now = System.nanoTime();
    List<Pending> batch = new ArrayList<>();
    for (String name : ready) {
      Pending waiting = pending.get(name);
      if (waiting == null || leaseUntil.getOrDefault(name, now) - now < MIN_LEASE_LEFT_NANOS) continue;
      pending.remove(name);
      String why = claimBlocked(waiting.claim());
      if (why.isEmpty()) {
        batch.add(waiting);
        continue;
      }
      if (!held.containsKey(name)) {
        leases.tell(new HolderLeases.Drop(name));
        dropGuardAhead(name);
      }
      refuse(waiting.claim(), why);
    }
    List<VipGroup> toAdd = batch.stream().map(p -> p.claim().group()).filter(g -> !held.containsKey(g.name())).toList();
    NicWork.Added added = nic.addAll(toAdd, g -> leaseUntil.getOrDefault(g, now), onHost, guardedAhead.keySet());
    long addedAt = System.nanoTime();
    for (Pending waiting : batch) {
      if (!added.failed().containsKey(waiting.claim().group().name())) take(waiting.claim());
    }
    // Every group's first announcement before any group's logs, hooks and replies: in a mass
    // takeover the last group's clients would otherwise wait for all the others' bookkeeping.
    ClaimTimes times = new ClaimTimes(now, addedAt, added, batch.size(), System.nanoTime());
    for (Pending waiting : batch) {
      String error = added.failed().get(waiting.claim().group().name());
      if (error != null) claimFailed(waiting.claim(), error);
      else confirm(waiting, times);
    }
    return Behaviors.same();
  }

  /** When a batch of claims was leased, added and first announced, for the CLAIMED line. */
  private record ClaimTimes(long leased, long added, NicWork.Added add, int batchSize, long announced) {}

  private void claimFailed(InterfaceActor.Claim claim, String error) {
    String name = claim.group().name();
    leases.tell(new HolderLeases.Drop(name));
    dropGuardAhead(name); // not added: out of the fence (an address found on the host is someone else's)
    context.getLog().error("CLAIM FAILED group={} epoch={}: {}", name, claim.epoch(), error);
    notify(NotifyHooks.Kind.FAULT, claim.group(), claim.epoch(), "claim failed: " + error);
    publish(new VipEvent.NicFailure(name, VipEvent.NicAction.CLAIM, error));
    refuse(claim, error);
  }

  /** The addresses are on the interface (or were already): held from now on, and announced. */
  private void take(InterfaceActor.Claim claim) {
    String name = claim.group().name();
    Held before = held.get(name);
    held.put(name, new Held(claim.group(), claim.epoch(), before != null ? before.sinceMillis() : System.currentTimeMillis()));
    guardedAhead.remove(name); // held now: extended as a held group's
    promised.merge(name, claim.epoch(), Math::max);
    onAnnounceRound(new InterfaceActor.AnnounceRound(name, 0, 1));
  }

  /** The rest of a claim once its batch is announced: the schedule of later rounds, records, hooks, the reply. */
  private void confirm(Pending waiting, ClaimTimes times) {
    InterfaceActor.Claim claim = waiting.claim();
    String name = claim.group().name();
    context.getLog().info("CLAIMED group={} epoch={} addresses={} on {} (lease {} ms, add {} ms (fence {}, kernel {}) with {} group(s), first announcements {} ms)",
        name, claim.epoch(), claim.group().addresses(), settings.interfaceName(), millis(times.leased() - waiting.arrivedNanos()),
        millis(times.added() - times.leased()), millis(times.add().fenceNanos()), millis(times.add().kernelNanos()), times.batchSize(),
        millis(times.announced() - times.added()));
    Duration refresh = settings.announce().refreshInterval();
    if (!refresh.isZero()) timers.startTimerWithFixedDelay(REFRESH + name, new InterfaceActor.AnnounceRound(name, AnnouncementSchedule.REFRESH, 0), refresh);
    followUp(claim.group(), claim.epoch());
    ledger.tell(new EpochLedger.Record(name, claim.epoch(), true, "ordered by the group's decider"));
    notify(NotifyHooks.Kind.CLAIM, claim.group(), claim.epoch(), "ordered by the group's decider");
    tellOwnership(new OwnershipChanged(name, true, claim.epoch(), "claimed"));
    claim.replyTo().tell(new InterfaceActor.ClaimResult(name, claim.epoch(), node, true, ""));
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private void tellOwnership(OwnershipChanged change) {
    subscribers.forEach(s -> s.tell(change));
    if (conflicts != null) conflicts.tell(new ConflictWatch.Owned(change));
  }

  private Behavior<InterfaceActor.Command> onQueryConflicts(InterfaceActor.QueryConflicts query) {
    if (conflicts != null) conflicts.tell(new ConflictWatch.GetConflicts(query.replyTo()));
    else query.replyTo().tell(new ConflictWatch.Conflicts(0, List.of()));
    return Behaviors.same();
  }

  /** A claim still waiting for its lease will not be carried out: stop the lease, refuse the claim. */
  private void abandon(Pending waiting, String why) {
    leases.tell(new HolderLeases.Drop(waiting.claim().group().name()));
    refuse(waiting.claim(), why);
  }

  private Behavior<InterfaceActor.Command> refuse(InterfaceActor.Claim claim, String why) {
    claim.replyTo().tell(new InterfaceActor.ClaimResult(claim.group().name(), claim.epoch(), node, false, why));
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onSubscribe(InterfaceActor.WatchOwnership subscribe) {
    releaseLapsed();
    subscribers.add(subscribe.subscriber());
    held.forEach((name, h) -> subscribe.subscriber().tell(new OwnershipChanged(name, true, h.epoch(), "held")));
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onRelease(InterfaceActor.Release release) {
    String name = release.group();
    if (held.containsKey(name) && release.whenPromised() > promised.getOrDefault(name, 0L)) {
      InterfaceActor.Release earlier = releaseWhenPromised.put(name, release);
      if (earlier != null) releaseNow(earlier);
      timers.startSingleTimer(RELEASE_DUE + name, new InterfaceActor.ReleaseDue(name), settings.promiseTimeout());
      return Behaviors.same();
    }
    releaseNow(release);
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onReleaseDue(InterfaceActor.ReleaseDue due) {
    timers.cancel(RELEASE_DUE + due.group());
    InterfaceActor.Release waiting = releaseWhenPromised.remove(due.group());
    if (waiting != null) releaseNow(waiting);
    return Behaviors.same();
  }

  /** A release that waited for {@code epoch} to be promised here goes now. */
  private void releaseIfPromised(String group, long epoch) {
    InterfaceActor.Release waiting = releaseWhenPromised.get(group);
    if (waiting != null && epoch >= waiting.whenPromised()) onReleaseDue(new InterfaceActor.ReleaseDue(group));
  }

  private void releaseNow(InterfaceActor.Release release) {
    InterfaceActor.HandOff to = release.handOff();
    // The target as soon as the kernel no longer has the addresses: its claim is what the clients
    // wait for; the decider learns of it from both.
    String error = release(release.group(), release.reason(), to == null ? () -> {} : () -> to.to().tell(to.claim()));
    boolean handOff = error.isEmpty() && to != null;
    release.replyTo().tell(new InterfaceActor.ReleaseResult(release.group(), node, error.isEmpty(), error, handOff));
    if (handOff) {
      context.getLog().info("HANDED OFF group={} epoch={}: the claim went on to {}", release.group(), to.claim().epoch(),
          to.to().path().address());
    }
  }

  private Behavior<InterfaceActor.Command> onQuery(InterfaceActor.QueryHoldings query, boolean canClaim) {
    releaseLapsed();
    Map<String, Long> epochs = new HashMap<>();
    Map<String, Long> since = new HashMap<>();
    held.forEach((name, h) -> {
      epochs.put(name, h.epoch());
      since.put(name, h.sinceMillis());
    });
    Map<String, Long> claiming = new HashMap<>();
    pending.forEach((name, p) -> claiming.put(name, p.claim().epoch()));
    query.replyTo().tell(new InterfaceActor.Holdings(node, Map.copyOf(epochs), Map.copyOf(promised), canClaim, settings.nodeWeight(),
        Map.copyOf(since), fitness.journal(), claiming));
    return Behaviors.same();
  }

  /**
   * A planned stop: claims are refused from now on (and the survey says so, so no decider picks
   * this node), while what is held stays held and renewed until its decider moves it away: the
   * clients' gap is then one release-then-claim, not a departure noticed by gossip.
   */
  private Behavior<InterfaceActor.Command> onVacate(InterfaceActor.Vacate vacate) {
    if (!fitness.stopping()) context.getLog().info("STOPPING: refusing claims; asking the deciders to move {} away", held.keySet());
    fitness = fitness.withStopping();
    for (Pending waiting : List.copyOf(pending.values())) abandon(waiting, "this node is stopping");
    pending.clear();
    vacate.replyTo().tell(new InterfaceActor.Vacating(Set.copyOf(held.keySet())));
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onRetire(InterfaceActor.Retire retire) {
    retireAll(retire.reason());
    retire.replyTo().tell(Done.getInstance());
    return retired();
  }

  private Behavior<InterfaceActor.Command> onSelfEvent(InterfaceActor.SelfEvent self) {
    ClusterEvent.MemberEvent event = self.event();
    boolean isSelf = event.member().uniqueAddress().equals(Cluster.get(context.getSystem()).selfMember().uniqueAddress());
    // Not on MemberLeft: while Leaving, the singleton hands over and releases in order; releasing
    // earlier would only lengthen the gap. Exiting comes after the hand-over.
    boolean leaving = event instanceof ClusterEvent.MemberExited
        || event instanceof ClusterEvent.MemberDowned || event instanceof ClusterEvent.MemberRemoved;
    if (!isSelf || !leaving) return Behaviors.same();
    retireAll("member " + event.member().status());
    return retired();
  }

  private Behavior<InterfaceActor.Command> onLedgerNotice(InterfaceActor.FromLedger notice) {
    if (notice.notice() instanceof EpochLedger.Ready ready) {
      promised.putAll(ready.promised());
      fitness = fitness.withJournal("");
      context.getLog().info("OBSERVER NO MORE: the epoch journal opened again; this node takes part again");
      return Behaviors.same();
    }
    if (notice.notice() instanceof EpochLedger.Failed failed) return retryLater(failed.reason());
    if (notice.notice() instanceof EpochLedger.NewPromise p) {
      context.getLog().info("PROMISED group={} epoch={}", p.group(), p.epoch());
      promised.merge(p.group(), p.epoch(), Math::max);
      releaseIfPromised(p.group(), p.epoch());
      // A held group stays held: its lease (no longer granted here) ends it unless the decider's
      // release comes first, so the clients' gap starts at the release, not at the promise, and a
      // promise round that fails leaves the VIP where it is.
      Pending waiting = pending.get(p.group());
      if (waiting != null && waiting.claim().epoch() < p.epoch()) {
        pending.remove(p.group());
        abandon(waiting, "superseded: epoch " + p.epoch() + " was promised");
      }
    }
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onQuorum(InterfaceActor.FromQuorum quorum) {
    fitness = fitness.withQuorum(quorum.verdict().survives() ? "" : quorum.verdict().why());
    if (!quorum.verdict().survives()) retireAll("this side would not survive a split: " + quorum.verdict().why());
    return Behaviors.same();
  }

  /** Fire and forget: hooks run on their own thread and never hold up the NIC work. */
  private void notify(NotifyHooks.Kind event, VipGroup group, long epoch, String reason) {
    hooks.tell(new NotifyHooks.Event(event, group.name(), epoch, reason,
        group.addresses().stream().map(a -> a.cidr()).toList()));
  }

  /** A node whose interface is down must not hold (clients cannot reach it there) nor claim. */
  private Behavior<InterfaceActor.Command> onLinkCheck() {
    boolean down = !nic.linkUp();
    if (down && !fitness.linkDown()) {
      context.getLog().warn("{} is down: releasing and refusing claims until it is up", settings.interfaceName());
      held.values().forEach(h -> notify(NotifyHooks.Kind.FAULT, h.group(), h.epoch(), settings.interfaceName() + " is down"));
      retireAll(settings.interfaceName() + " is down");
    }
    if (!down && fitness.linkDown()) context.getLog().info("{} is up again: this node may hold VIPs", settings.interfaceName());
    fitness = fitness.withLinkDown(down);
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onCheck(InterfaceActor.FromCheck check) {
    HealthCheck.Verdict verdict = check.verdict();
    fitness = fitness.withCheck(verdict.healthy() ? "" : verdict.why());
    if (verdict.healthy()) {
      context.getLog().info("health check: {}; this node may hold VIPs", verdict.why());
    } else {
      context.getLog().warn("health check: {}: releasing and refusing claims", verdict.why());
      held.values().forEach(h -> notify(NotifyHooks.Kind.FAULT, h.group(), h.epoch(), verdict.why()));
      retireAll(verdict.why());
    }
    return Behaviors.same();
  }

  /** Keepalived's order: a burst at once, a second burst after a delay, then periodic rounds. */
  /** Sends what the pacing allows now; the rest follows after about one address's frames. */
  private void announceRest(VipGroup group, List<VipAddress> addresses) {
    List<VipAddress> rest = nic.announce(group, addresses);
    if (rest.isEmpty()) return;
    long perSecond = Math.max(1, settings.announce().maxFramesPerSecond());
    Duration pause = Duration.ofNanos(Math.max(5_000_000L, 2 * 1_000_000_000L / perSecond));
    timers.startSingleTimer(REST + group.name(), new InterfaceActor.AnnounceRest(group.name(), rest), pause);
  }

  /** Checked again like a round: only a held, leased group is announced. */
  private Behavior<InterfaceActor.Command> onAnnounceRest(InterfaceActor.AnnounceRest rest) {
    releaseLapsed();
    Held holding = held.get(rest.group());
    if (holding != null && leased(rest.group())) announceRest(holding.group(), rest.rest());
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onAnnounceRound(InterfaceActor.AnnounceRound round) {
    releaseLapsed();
    Held holding = held.get(round.group());
    if (holding == null) return Behaviors.same();
    if (leased(round.group())) {
      if (holding.group().virtualMac()) nic.teach(holding.group());
      announceRest(holding.group(), holding.group().addresses());
      if (round.round() == 0 && round.burst() > 0 && settings.announce().tellNeighbours() && witness != null) askNeighbours(holding.group());
    }
    AnnouncementSchedule.after(round.round(), round.burst(), settings.announce()).ifPresent(next ->
        timers.startSingleTimer(round.group(), new InterfaceActor.AnnounceRound(round.group(), next.round(), next.burst()), next.delay()));
    return Behaviors.same();
  }

  private void retireAll(String reason) {
    for (String name : List.copyOf(held.keySet())) release(name, reason);
    // Released above: those waiting for a promise are answered (and hand their claims on) now.
    for (String name : List.copyOf(releaseWhenPromised.keySet())) onReleaseDue(new InterfaceActor.ReleaseDue(name));
    awaitingCatalog.values().forEach(claim -> refuse(claim, reason));
    awaitingCatalog.clear();
    for (Pending waiting : List.copyOf(pending.values())) abandon(waiting, reason);
    pending.clear();
  }

  private void publish(VipEvent event) {
    context.getSystem().eventStream().tell(new EventStream.Publish<>(event));
  }

  /** Removes a held group's addresses; returns the error, or "" when nothing is left behind. */
  private String release(String name, String reason) {
    return release(name, reason, () -> {});
  }

  /** {@code gone} runs as soon as the kernel no longer has the addresses (also when none were held). */
  private String release(String name, String reason, Runnable gone) {
    Held holding = held.get(name);
    if (holding == null) {
      gone.run();
      return "";
    }
    timers.cancel(name);
    timers.cancel(REFRESH + name);
    timers.cancel(REST + name);
    timers.cancel(LEARN + name);
    timers.cancel(VERIFY + name);
    try {
      nic.remove(holding.group(), gone);
    } catch (DriverException e) {
      context.getLog().error("RELEASE FAILED group={} epoch={}: {}", name, holding.epoch(), e.getMessage());
      notify(NotifyHooks.Kind.FAULT, holding.group(), holding.epoch(), "release failed: " + e.getMessage());
      publish(new VipEvent.NicFailure(name, VipEvent.NicAction.RELEASE, e.getMessage()));
      return e.getMessage();
    }
    held.remove(name);
    leaseUntil.remove(name);
    leases.tell(new HolderLeases.Drop(name));
    if (!held.isEmpty()) nic.restoreMissing(held.values().stream().map(Held::group).toList());
    if (ledger != null) ledger.tell(new EpochLedger.Record(name, holding.epoch(), false, reason));
    notify(NotifyHooks.Kind.RELEASE, holding.group(), holding.epoch(), reason);
    tellOwnership(new OwnershipChanged(name, false, holding.epoch(), reason));
    context.getLog().info("RELEASED group={} epoch={} addresses={} from {} ({})", name, holding.epoch(),
        holding.group().addresses(), settings.interfaceName(), reason);
    return "";
  }

  /** After a claim: switch-learning frames while a vmac group is held, and the check that its G-ARP got through. */
  private void followUp(VipGroup group, long epoch) {
    Duration learning = settings.announce().learningInterval();
    if (group.virtualMac() && !learning.isZero()) timers.startTimerWithFixedDelay(LEARN + group.name(), new InterfaceActor.TeachSwitches(group.name()), learning);
    Duration verify = settings.announce().verifyAfter();
    if (!verify.isZero() && settings.conflict().detect()) timers.startSingleTimer(VERIFY + group.name(), new InterfaceActor.CheckAnnounced(group.name(), epoch), verify);
  }

  private Behavior<InterfaceActor.Command> onTeach(String group) {
    releaseLapsed();
    Held holding = held.get(group);
    if (holding != null && leased(group)) nic.teach(holding.group());
    return Behaviors.same();
  }

  /** One short-lived check per claim; the group's first IPv4 address stands for all (G-ARP is IPv4). */
  private Behavior<InterfaceActor.Command> onCheckAnnounced(InterfaceActor.CheckAnnounced check) {
    Held holding = held.get(check.group());
    if (holding == null || holding.epoch() != check.epoch()) return Behaviors.same();
    VipGroup group = holding.group();
    String mac = group.virtualMac() ? group.mac().toLowerCase(Locale.ROOT) : interfaceMac;
    group.addresses().stream().filter(a -> !a.isIpv6()).findFirst().ifPresent(a -> context.spawnAnonymous(AnnouncementCheck.create(group, a.ip(), mac,
        settings.announce().verifyAfter().plusMillis(500), settings.announce().tellNeighbours(), context.getSelf())));
    return Behaviors.same();
  }

  private Behavior<InterfaceActor.Command> onAskWitness(InterfaceActor.AskWitness ask) {
    if (witness != null) witness.tell(ask.question());
    else ask.question().cannotTell(node);
    return Behaviors.same();
  }

  /**
   * Every node's witness, this one's too: a node that started after a client last asked for the VIP
   * does not know it, the others may. Each list is told as it arrives: a host two nodes know is told
   * twice (a frame more), and a dead node's silence holds up no one.
   */
  private void askNeighbours(VipGroup group) {
    List<String> ips = group.addresses().stream().filter(a -> !a.isIpv6()).map(VipAddress::ip).toList();
    if (ips.isEmpty()) return;
    String name = group.name();
    ActorRef<InterfaceActor.Command> self = context.getSelf();
    context.spawnAnonymous(WitnessPoll.create(WireWitness.Neighbours.class, r -> new WireWitness.GetNeighbours(ips, r), self, true,
        NEIGHBOUR_POLL, known -> self.tell(new InterfaceActor.NeighboursKnown(name, known)), (ctx, answers, asked) -> {}));
  }

  private Behavior<InterfaceActor.Command> onNeighboursKnown(InterfaceActor.NeighboursKnown known) {
    Held holding = held.get(known.group());
    if (holding == null || !leased(known.group())) return Behaviors.same();
    for (VipAddress address : holding.group().addresses()) {
      List<io.vipkeeper.driver.Neighbour> hosts = known.neighbours().byVip().getOrDefault(address.ip(), List.of());
      if (!hosts.isEmpty()) nic.tellNeighbours(holding.group(), address, hosts);
    }
    return Behaviors.same();
  }
}
