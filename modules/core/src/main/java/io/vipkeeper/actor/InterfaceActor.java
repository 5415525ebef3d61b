package io.vipkeeper.actor;

import io.vipkeeper.CborSerializable;
import io.vipkeeper.OwnershipChanged;
import io.vipkeeper.VipEvent;
import io.vipkeeper.config.AnnounceSettings;
import io.vipkeeper.config.VipKeeperSettings;
import java.time.Duration;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.safety.Quorum;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
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
 * releases (remove them) on the order of a group's {@link VipOwner}. It refuses an order older
 * than an epoch its {@link EpochLedger} promised, touches the NIC only once a surviving set granted
 * the claim a lease ({@link HolderLeases}), and releases on its own when the lease runs out, when
 * a newer epoch is promised, when its side of a split would not survive ({@link QuorumWatch}), when its member is
 * Exiting, downed or removed, and when the node shuts down.
 */
public final class InterfaceActor {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "vipkeeper-interface");

  public sealed interface Command {}

  /** Hold {@code group} under {@code epoch}; refused if a newer epoch was promised. */
  public record Claim(VipGroup group, long epoch, ActorRef<ClaimResult> replyTo) implements Command, CborSerializable {}

  /** Stop holding {@code group}; answered also when it was not held. */
  public record Release(String group, String reason, ActorRef<ReleaseResult> replyTo) implements Command, CborSerializable {}

  public record QueryHoldings(ActorRef<Holdings> replyTo) implements Command, CborSerializable {}

  /** Tell {@code subscriber} of every claim and release on this node, starting with what is held now. */
  public record WatchOwnership(ActorRef<OwnershipChanged> subscriber) implements Command {}

  /** The address conflicts this node saw (see {@link ConflictWatch}). */
  public record QueryConflicts(ActorRef<ConflictWatch.Conflicts> replyTo) implements Command, CborSerializable {}

  /** Another host answered for a group's address: announce it again. */
  private record Reannounce(String group) implements Command {}

  /** The groups added at run time that exist now (from this node's catalog). */
  public record Catalogued(Map<String, VipGroup> runtime) implements Command {}

  /** Release everything and refuse further claims: the node is leaving or stopping. */
  public record Retire(String reason, ActorRef<Done> replyTo) implements Command {}

  /** Round {@code round} of burst {@code burst} (1 first, 2 second); a refresh is a lone round. */
  private record AnnounceRound(String group, int round, int burst) implements Command {}

  private record SelfEvent(ClusterEvent.MemberEvent event) implements Command {}

  private record FromLedger(EpochLedger.Notice notice) implements Command {}

  private record FromQuorum(QuorumWatch.Verdict verdict) implements Command {}

  private record JournalPrepared(Throwable failure) implements Command {}

  private enum LinkCheck implements Command { INSTANCE }

  private record FromCheck(HealthCheck.Verdict verdict) implements Command {}

  private record FromLeases(HolderLeases.Notice notice) implements Command {}

  public record ClaimResult(String group, long epoch, NodeIdentity node, boolean claimed, String error) implements CborSerializable {}

  public record ReleaseResult(String group, NodeIdentity node, boolean released, String error) implements CborSerializable {}

  /**
   * What a node holds (group → epoch), the highest epoch it knows per group, whether it can claim,
   * and its weight for balanced placement.
   */
  public record Holdings(NodeIdentity node, Map<String, Long> held, Map<String, Long> highestEpoch, boolean canClaim,
      double weight, Map<String, Long> heldSinceMillis) implements CborSerializable {}

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
  private final Map<String, Held> held = new HashMap<>();
  private final Map<String, Long> promised = new HashMap<>();
  /** Where each leased group's lease ends (nanoTime), as granted: the kernel fence is set to it. */
  private final Map<String, Long> leaseUntil = new HashMap<>();
  private final List<ActorRef<OwnershipChanged>> subscribers = new java.util.ArrayList<>();
  private ActorRef<EpochLedger.Command> ledger;
  private ActorRef<HolderLeases.Command> leases;
  private ActorRef<ConflictWatch.Command> conflicts;
  /** Claims waiting for their first lease grant, with when they arrived. */
  private final Map<String, Pending> pending = new HashMap<>();
  private final Quorum quorum;
  private final ActorRef<NotifyHooks.Event> hooks;
  private String noQuorum = "";
  private boolean linkDown;
  private String checkFailing = "";
  /** Runtime groups this node knows; null until the catalog first said. */
  private Map<String, VipGroup> runtime;

  /** A group this node holds, since when (wall clock, kept when a newer epoch is claimed here again). */
  private record Held(VipGroup group, long epoch, long sinceMillis) {}

  private record Pending(Claim claim, long arrivedNanos) {}

  private static final String REFRESH = "refresh-";
  private static final int REFRESH_ROUND = -1;

  private InterfaceActor(ActorContext<Command> context, TimerScheduler<Command> timers, NodeIdentity node, NicWork nic,
      VipKeeperSettings settings, Quorum quorum) {
    this.quorum = quorum;
    this.hooks = context.spawn(NotifyHooks.create(settings.hooks()), "notify",
        DispatcherSelector.fromConfig("vipkeeper.notify-dispatcher"));
    this.context = context;
    this.timers = timers;
    this.node = node;
    this.nic = nic;
    this.settings = settings;
  }

  /** Until the journal is open and the ledger has recovered, nothing is decided: orders wait. */
  private Behavior<Command> starting(StashBuffer<Command> stash) {
    return Behaviors.receive(Command.class)
        .onMessage(JournalPrepared.class, j -> {
          if (j.failure() != null) return stash.unstashAll(broken("epoch journal unreadable: " + j.failure().getMessage()));
          ledger = context.spawn(EpochLedger.create(node.name(), context.messageAdapter(EpochLedger.Notice.class, FromLedger::new)),
              "ledger", DispatcherSelector.defaultDispatcher());
          return Behaviors.same();
        })
        .onMessage(FromLedger.class, f -> {
          if (f.notice() instanceof EpochLedger.Ready ready) return onLedgerReady(ready, stash);
          if (f.notice() instanceof EpochLedger.Failed failed) return stash.unstashAll(broken("epoch journal unreadable: " + failed.reason()));
          return Behaviors.same();
        })
        .onAnyMessage(m -> { stash.stash(m); return Behaviors.same(); })
        .build();
  }

  private Behavior<Command> onLedgerReady(EpochLedger.Ready ready, StashBuffer<Command> stash) {
    promised.putAll(ready.promised());
    context.getLog().info("LEDGER promised={} held-at-stop={}", ready.promised(), ready.holding());
    ready.holding().forEach((group, epoch) -> context.getLog().warn(
        "the journal says this node held group {} at epoch {} when it stopped (crash or kill -9); it holds nothing now", group, epoch));
    ready.holding().forEach((group, epoch) -> ledger.tell(new EpochLedger.Record(group, epoch, false, "restart after crash")));
    leases = context.spawn(HolderLeases.create(settings.lease(), quorum, context.messageAdapter(HolderLeases.Notice.class, FromLeases::new)),
        "leases", DispatcherSelector.defaultDispatcher());
    watchConflicts();
    context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
    if (!settings.linkCheckInterval().isZero()) timers.startTimerWithFixedDelay(LinkCheck.INSTANCE, settings.linkCheckInterval());
    if (!settings.check().command().isBlank()) {
      context.spawn(HealthCheck.create(settings.check(), context.messageAdapter(HealthCheck.Verdict.class, FromCheck::new)),
          "check", DispatcherSelector.fromConfig("vipkeeper.check-dispatcher"));
    }
    return stash.unstashAll(active());
  }

  private void watchConflicts() {
    if (!settings.conflict().detect()) return;
    String mac;
    try {
      mac = nic.drivers().driver().link(settings.interfaceName()).mac();
    } catch (DriverException e) {
      mac = "";
    }
    ActorRef<ConflictWatch.Command> watch = context.spawn(ConflictWatch.create(settings.groups(), mac,
        settings.conflict().reannounceInterval(), context.messageAdapter(String.class, Reannounce::new)), "conflicts",
        DispatcherSelector.defaultDispatcher());
    conflicts = watch;
    nic.drivers().sensor().start(sighting -> watch.tell(new ConflictWatch.Seen(sighting)));
  }

  private Behavior<Command> active() {
    return Behaviors.receive(Command.class)
        .onMessage(Reannounce.class, r -> onAnnounceRound(new AnnounceRound(r.group(), 0, 2)))
        .onMessage(QueryConflicts.class, this::onQueryConflicts)
        .onMessage(Claim.class, this::onClaim)
        .onMessage(Release.class, this::onRelease)
        .onMessage(Catalogued.class, this::onCatalogued)
        .onMessage(WatchOwnership.class, this::onSubscribe)
        .onMessage(QueryHoldings.class, q -> onQuery(q, noQuorum.isEmpty() && !linkDown && checkFailing.isEmpty()))
        .onMessage(Retire.class, this::onRetire)
        .onMessage(AnnounceRound.class, this::onAnnounceRound)
        .onMessage(SelfEvent.class, this::onSelfEvent)
        .onMessage(FromLedger.class, this::onLedgerNotice)
        .onMessage(FromQuorum.class, this::onQuorum)
        .onMessage(LinkCheck.class, l -> onLinkCheck())
        .onMessage(FromCheck.class, this::onCheck)
        .onMessage(FromLeases.class, this::onLease)
        .build();
  }

  /** Leaving, downed or stopping: nothing is held and every claim is refused. */
  private Behavior<Command> retired() {
    return refusing("node " + node.name() + " is leaving the cluster");
  }

  /** The ledger cannot be read: this node must never claim (it could reuse an old epoch). */
  private Behavior<Command> broken(String reason) {
    context.getLog().error("{}: this node refuses every claim; fix or move vipkeeper.data-dir ({}) and restart", reason, settings.dataDir());
    context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
    return refusing(reason);
  }

  private Behavior<Command> refusing(String why) {
    return Behaviors.receive(Command.class)
        .onMessage(Claim.class, c -> refuse(c, why))
        .onMessage(Release.class, this::onRelease)
        .onMessage(Catalogued.class, c -> { runtime = c.runtime(); return Behaviors.same(); })
        .onMessage(WatchOwnership.class, this::onSubscribe)
        .onMessage(QueryConflicts.class, this::onQueryConflicts)
        .onMessage(QueryHoldings.class, q -> onQuery(q, false))
        .onMessage(Retire.class, r -> { retireAll(r.reason()); r.replyTo().tell(Done.getInstance()); return Behaviors.same(); })
        .onMessage(FromLeases.class, f -> { if (f.notice() instanceof HolderLeases.LeaseHeld h) leases.tell(new HolderLeases.Drop(h.group())); return Behaviors.same(); })
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /** A claim first needs a lease granted by a surviving set; the NIC is touched only then. */
  private Behavior<Command> onClaim(Claim claim) {
    String why = claimBlocked(claim);
    if (!why.isEmpty()) return refuse(claim, why);
    Pending previous = pending.put(claim.group().name(), new Pending(claim, System.nanoTime()));
    if (previous != null) refuse(previous.claim(), "a newer claim for the group arrived");
    leases.tell(new HolderLeases.Hold(claim.group().name(), claim.epoch()));
    return Behaviors.same();
  }

  /** Why this node cannot take {@code claim} now; "" when it can. */
  private String claimBlocked(Claim claim) {
    String name = claim.group().name();
    if (!known(claim.group())) return "group " + name + " is not in this node's catalog as the claim defines it (just added, changed or removed?)";
    long newest = promised.getOrDefault(name, 0L);
    if (claim.epoch() < newest) return "epoch " + claim.epoch() + " is older than epoch " + newest + " already promised";
    if (!noQuorum.isEmpty()) return "this node's side would not survive a split (" + noQuorum + ")";
    if (linkDown) return settings.interfaceName() + " is down";
    return checkFailing;
  }

  private Behavior<Command> onLease(FromLeases from) {
    if (from.notice() instanceof HolderLeases.LeasesExtended extended) return onExtended(extended);
    if (from.notice() instanceof HolderLeases.LeaseHeld granted) {
      leaseUntil.put(granted.group(), granted.untilNanos());
      Pending waiting = pending.get(granted.group());
      if (waiting == null || waiting.claim().epoch() > granted.epoch()) return Behaviors.same();
      pending.remove(granted.group());
      return hold(waiting);
    }
    HolderLeases.LeaseLost lost = (HolderLeases.LeaseLost) from.notice();
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
  private Behavior<Command> onExtended(HolderLeases.LeasesExtended extended) {
    Map<VipGroup, Long> fence = new HashMap<>();
    extended.untilNanos().forEach((group, until) -> {
      leaseUntil.put(group, until);
      Held holding = held.get(group);
      if (holding != null) fence.put(holding.group(), until);
    });
    if (!fence.isEmpty()) nic.extend(fence);
    return Behaviors.same();
  }

  /**
   * Checked before anything that says "I hold" (an announcement, a survey answer): a JVM that was
   * frozen or starved past its lease finds out here, before its lease actor's timer has fired, and
   * releases quietly. Its kernel stopped answering when the lease ended (the fence).
   */
  private void releaseLapsed() {
    long now = System.nanoTime();
    for (String name : List.copyOf(held.keySet())) {
      Long until = leaseUntil.get(name);
      if (until != null && until - now > 0) continue;
      context.getLog().warn("LEASE LAPSED group={}: it ended {} ms ago (this JVM was stopped or starved); releasing without announcing",
          name, until == null ? "?" : millis(now - until));
      release(name, "lease lapsed while this node was stopped or starved");
    }
  }

  /**
   * A removed group is released here (whoever decides for it is gone too); at the first listing,
   * runtime groups left on the interface by a killed process are removed, as configured ones are.
   */
  private Behavior<Command> onCatalogued(Catalogued catalogued) {
    boolean first = runtime == null;
    runtime = catalogued.runtime();
    List<VipGroup> all = new java.util.ArrayList<>(settings.groups());
    all.addAll(runtime.values());
    if (conflicts != null) conflicts.tell(new ConflictWatch.Groups(all));
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
    return Behaviors.same();
  }

  /** A group of the config file (by name), or one the catalog lists with exactly this definition. */
  private boolean known(VipGroup group) {
    return settings.groups().stream().anyMatch(g -> g.name().equals(group.name()))
        || (runtime != null && group.equals(runtime.get(group.name())));
  }

  /** The lease holds: add the addresses (unless held already), announce, confirm. */
  private Behavior<Command> hold(Pending waiting) {
    Claim claim = waiting.claim();
    String name = claim.group().name();
    String why = claimBlocked(claim);
    if (!why.isEmpty()) {
      if (!held.containsKey(name)) leases.tell(new HolderLeases.Drop(name));
      return refuse(claim, why);
    }
    long leased = System.nanoTime();
    if (!held.containsKey(name)) {
      try {
        nic.add(claim.group(), leaseUntil.getOrDefault(name, leased));
      } catch (DriverException e) {
        leases.tell(new HolderLeases.Drop(name));
        context.getLog().error("CLAIM FAILED group={} epoch={}: {}", name, claim.epoch(), e.getMessage());
        notify("fault", claim.group(), claim.epoch(), "claim failed: " + e.getMessage());
        publish(new VipEvent.NicFailure(name, "claim", e.getMessage()));
        return refuse(claim, e.getMessage());
      }
    }
    long added = System.nanoTime();
    Held before = held.get(name);
    held.put(name, new Held(claim.group(), claim.epoch(), before != null ? before.sinceMillis() : System.currentTimeMillis()));
    promised.merge(name, claim.epoch(), Math::max);
    onAnnounceRound(new AnnounceRound(name, 0, 1));
    long announced = System.nanoTime();
    context.getLog().info("CLAIMED group={} epoch={} addresses={} on {} (lease {} ms, add {} ms, first announcement {} ms)", name,
        claim.epoch(), claim.group().addresses(), settings.interfaceName(), millis(leased - waiting.arrivedNanos()),
        millis(added - leased), millis(announced - added));
    Duration refresh = settings.announce().refreshInterval();
    if (!refresh.isZero()) timers.startTimerWithFixedDelay(REFRESH + name, new AnnounceRound(name, REFRESH_ROUND, 0), refresh);
    ledger.tell(new EpochLedger.Record(name, claim.epoch(), true, "ordered by the group's decider"));
    notify("claim", claim.group(), claim.epoch(), "ordered by the group's decider");
    tellOwnership(new OwnershipChanged(name, true, claim.epoch(), "claimed"));
    claim.replyTo().tell(new ClaimResult(name, claim.epoch(), node, true, ""));
    return Behaviors.same();
  }

  private static String millis(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private void tellOwnership(OwnershipChanged change) {
    subscribers.forEach(s -> s.tell(change));
    if (conflicts != null) conflicts.tell(new ConflictWatch.Owned(change));
  }

  private Behavior<Command> onQueryConflicts(QueryConflicts query) {
    if (conflicts != null) conflicts.tell(new ConflictWatch.GetConflicts(query.replyTo()));
    else query.replyTo().tell(new ConflictWatch.Conflicts(0, List.of()));
    return Behaviors.same();
  }

  /** A claim still waiting for its lease will not be carried out: stop the lease, refuse the claim. */
  private void abandon(Pending waiting, String why) {
    leases.tell(new HolderLeases.Drop(waiting.claim().group().name()));
    refuse(waiting.claim(), why);
  }

  private Behavior<Command> refuse(Claim claim, String why) {
    claim.replyTo().tell(new ClaimResult(claim.group().name(), claim.epoch(), node, false, why));
    return Behaviors.same();
  }

  private Behavior<Command> onSubscribe(WatchOwnership subscribe) {
    releaseLapsed();
    subscribers.add(subscribe.subscriber());
    held.forEach((name, h) -> subscribe.subscriber().tell(new OwnershipChanged(name, true, h.epoch(), "held")));
    return Behaviors.same();
  }

  private Behavior<Command> onRelease(Release release) {
    String error = release(release.group(), release.reason());
    release.replyTo().tell(new ReleaseResult(release.group(), node, error.isEmpty(), error));
    return Behaviors.same();
  }

  private Behavior<Command> onQuery(QueryHoldings query, boolean canClaim) {
    releaseLapsed();
    Map<String, Long> epochs = new HashMap<>();
    Map<String, Long> since = new HashMap<>();
    held.forEach((name, h) -> {
      epochs.put(name, h.epoch());
      since.put(name, h.sinceMillis());
    });
    query.replyTo().tell(new Holdings(node, Map.copyOf(epochs), Map.copyOf(promised), canClaim, settings.nodeWeight(), Map.copyOf(since)));
    return Behaviors.same();
  }

  private Behavior<Command> onRetire(Retire retire) {
    retireAll(retire.reason());
    retire.replyTo().tell(Done.getInstance());
    return retired();
  }

  private Behavior<Command> onSelfEvent(SelfEvent self) {
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

  private Behavior<Command> onLedgerNotice(FromLedger notice) {
    if (notice.notice() instanceof EpochLedger.NewPromise p) {
      context.getLog().info("PROMISED group={} epoch={}", p.group(), p.epoch());
      promised.merge(p.group(), p.epoch(), Math::max);
      Held holding = held.get(p.group());
      if (holding != null && holding.epoch() < p.epoch()) release(p.group(), "superseded: epoch " + p.epoch() + " was promised");
      Pending waiting = pending.get(p.group());
      if (waiting != null && waiting.claim().epoch() < p.epoch()) {
        pending.remove(p.group());
        abandon(waiting, "superseded: epoch " + p.epoch() + " was promised");
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onQuorum(FromQuorum quorum) {
    noQuorum = quorum.verdict().survives() ? "" : quorum.verdict().why();
    if (!noQuorum.isEmpty()) retireAll("this side would not survive a split: " + noQuorum);
    return Behaviors.same();
  }

  /** Fire and forget: hooks run on their own thread and never hold up the NIC work. */
  private void notify(String event, VipGroup group, long epoch, String reason) {
    hooks.tell(new NotifyHooks.Event(event, group.name(), epoch, reason,
        group.addresses().stream().map(a -> a.cidr()).toList()));
  }

  /** A node whose interface is down must not hold (clients cannot reach it there) nor claim. */
  private Behavior<Command> onLinkCheck() {
    boolean down = !nic.linkUp();
    if (down && !linkDown) {
      context.getLog().warn("{} is down: releasing and refusing claims until it is up", settings.interfaceName());
      held.values().forEach(h -> notify("fault", h.group(), h.epoch(), settings.interfaceName() + " is down"));
      retireAll(settings.interfaceName() + " is down");
    }
    if (!down && linkDown) context.getLog().info("{} is up again: this node may hold VIPs", settings.interfaceName());
    linkDown = down;
    return Behaviors.same();
  }

  private Behavior<Command> onCheck(FromCheck check) {
    HealthCheck.Verdict verdict = check.verdict();
    checkFailing = verdict.healthy() ? "" : verdict.why();
    if (verdict.healthy()) {
      context.getLog().info("health check: {}; this node may hold VIPs", verdict.why());
    } else {
      context.getLog().warn("health check: {}: releasing and refusing claims", verdict.why());
      held.values().forEach(h -> notify("fault", h.group(), h.epoch(), verdict.why()));
      retireAll(verdict.why());
    }
    return Behaviors.same();
  }

  /** Keepalived's order: a burst at once, a second burst after a delay, then periodic rounds. */
  private Behavior<Command> onAnnounceRound(AnnounceRound round) {
    releaseLapsed();
    Held holding = held.get(round.group());
    if (holding == null) return Behaviors.same();
    nic.announce(holding.group());
    if (round.round() == REFRESH_ROUND) return Behaviors.same();
    AnnounceSettings announce = settings.announce();
    if (round.round() + 1 < announce.count()) {
      timers.startSingleTimer(round.group(), new AnnounceRound(round.group(), round.round() + 1, round.burst()), announce.interval());
    } else if (round.burst() == 1 && !announce.secondBurstDelay().isZero()) {
      timers.startSingleTimer(round.group(), new AnnounceRound(round.group(), 0, 2), announce.secondBurstDelay());
    }
    return Behaviors.same();
  }

  private void retireAll(String reason) {
    for (String name : List.copyOf(held.keySet())) release(name, reason);
    for (Pending waiting : List.copyOf(pending.values())) abandon(waiting, reason);
    pending.clear();
  }

  private void publish(VipEvent event) {
    context.getSystem().eventStream().tell(new org.apache.pekko.actor.typed.eventstream.EventStream.Publish<>(event));
  }

  /** Removes a held group's addresses; returns the error, or "" when nothing is left behind. */
  private String release(String name, String reason) {
    Held holding = held.get(name);
    if (holding == null) return "";
    timers.cancel(name);
    timers.cancel(REFRESH + name);
    try {
      nic.remove(holding.group());
    } catch (DriverException e) {
      context.getLog().error("RELEASE FAILED group={} epoch={}: {}", name, holding.epoch(), e.getMessage());
      notify("fault", holding.group(), holding.epoch(), "release failed: " + e.getMessage());
      publish(new VipEvent.NicFailure(name, "release", e.getMessage()));
      return e.getMessage();
    }
    held.remove(name);
    leaseUntil.remove(name);
    leases.tell(new HolderLeases.Drop(name));
    if (ledger != null) ledger.tell(new EpochLedger.Record(name, holding.epoch(), false, reason));
    notify("release", holding.group(), holding.epoch(), reason);
    tellOwnership(new OwnershipChanged(name, false, holding.epoch(), reason));
    context.getLog().info("RELEASED group={} epoch={} addresses={} from {} ({})", name, holding.epoch(),
        holding.group().addresses(), settings.interfaceName(), reason);
    return "";
  }
}
