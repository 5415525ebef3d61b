package io.vipkeeper.lease;

import io.vipkeeper.Ask;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.ledger.LedgerPaths;
import io.vipkeeper.membership.Members;

import io.vipkeeper.config.LeaseSettings;
import io.vipkeeper.membership.Quorum;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * This node's leases on the groups it holds or is about to claim. Every renew-interval one round
 * goes to every node's {@link EpochLedger} for all groups at once. It tells the interface actor
 * when a group's lease first holds (the claim may go on) and when it is lost: refused because a
 * newer epoch was promised, or not granted by a surviving set for lease-duration on this node's
 * monotonic clock. That bound holds whatever the failure detector or the resolver think.
 */
public final class HolderLeases {

  public sealed interface Command {}

  /**
   * Renew a lease on {@code group} at {@code epoch} (a new one starts with a round at once), also
   * with {@code watcher} (null: none), the ledger the group's decider watches for renewals, even
   * before it is listed here: a node that just joined may list the decider's ledger seconds after
   * its claim, and the decider would meanwhile count it as silent.
   */
  public record Hold(String group, long epoch, ActorRef<EpochLedger.Command> watcher) implements Command {}

  /** The group's addresses are gone from this node (or never came): stop renewing and renounce the lease. */
  public record Drop(String group) implements Command {}

  private record Answer(long round, String node, EpochLedger.Renewed renewed) implements Command {}

  private record LedgersChanged(Receptionist.Listing listing) implements Command {}

  private enum Round implements Command { INSTANCE }

  /** New leases wait for their first round: one round for all the holds that came meanwhile. */
  private enum FirstRound implements Command { INSTANCE }

  private enum Expiry implements Command { INSTANCE }

  public sealed interface Notice {}

  /** A surviving set granted the lease for the first time; it runs until {@code untilNanos} (nanoTime). */
  public record LeaseHeld(String group, long epoch, long untilNanos) implements Notice {}

  /** Held leases now reach further: group → new end (nanoTime), for the kernel fence. */
  public record LeasesExtended(Map<String, Long> untilNanos) implements Notice {}

  public record LeaseLost(String group, long epoch, String why) implements Notice {}

  private static final class Entry {
    long epoch;
    ActorRef<EpochLedger.Command> watcher;
    final Lease lease;
    final long since = System.nanoTime();
    boolean held;
    /** Where a newer epoch was first reported promised ("" none): those ledgers no longer grant this one. */
    String supersededOn = "";

    Entry(long epoch, Lease lease) {
      this.epoch = epoch;
      this.lease = lease;
    }
  }

  public static Behavior<Command> create(LeaseSettings settings, Quorum quorum, ActorRef<Notice> listener) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      context.getSystem().receptionist().tell(Receptionist.subscribe(EpochLedger.RECOVERED,
          context.messageAdapter(Receptionist.Listing.class, LedgersChanged::new)));
      timers.startTimerWithFixedDelay(Round.INSTANCE, settings.renewInterval());
      return new HolderLeases(context, timers, settings, quorum, listener).behavior();
    }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final LeaseSettings settings;
  private final Quorum quorum;
  private final ActorRef<Notice> listener;
  private final Members members;
  private final Map<String, Entry> entries = new HashMap<>();
  private Set<ActorRef<EpochLedger.Command>> ledgers = Set.of();
  private final LedgerPaths unlistedLedgers;
  /**
   * A round counts every member the resolver counts, as the deciders count them for a promise (two
   * surviving sets overlap only within one set of voters), less the members whose ledger abstained
   * from that very round (not caught up: it promises nothing for two lease durations after).
   * Leaving out members whose ledger this node had listed less than a lease ago let a holder cut off
   * seconds after the cluster formed renew with its own ledger and one other while those two
   * promised the next epoch without it.
   */
  private final Map<Long, Set<String>> abstainedIn = new HashMap<>();
  private static final int ROUNDS_KEPT = 16;
  private long round;
  private boolean firstRoundDue;

  private HolderLeases(ActorContext<Command> context, TimerScheduler<Command> timers, LeaseSettings settings, Quorum quorum,
      ActorRef<Notice> listener) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.quorum = quorum;
    this.listener = listener;
    this.members = new Members(context.getSystem());
    this.unlistedLedgers = new LedgerPaths(context.getSystem(), context.getSelf().path().parent().child("ledger"));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Hold.class, this::onHold)
        .onMessage(Drop.class, this::onDrop)
        .onMessage(Round.class, r -> { renew(); return Behaviors.same(); })
        .onMessage(FirstRound.class, r -> { firstRoundDue = false; renew(); return Behaviors.same(); })
        .onMessage(Answer.class, this::onAnswer)
        .onMessage(Expiry.class, e -> { expire(); return Behaviors.same(); })
        .onMessage(LedgersChanged.class, this::onLedgers)
        .build();
  }

  private Behavior<Command> onLedgers(LedgersChanged changed) {
    // Every recovered ledger, listed or still catching up (it abstains: see abstainedIn), also those
    // on nodes someone marked unreachable: the plain listing leaves them out, and a voter set that
    // shrank with it let a holder cut off from the others renew with its own ledger alone while
    // they promised the next epoch (two MACs answered in the lab).
    ledgers = Set.copyOf(changed.listing().getAllServiceInstances(EpochLedger.RECOVERED));
    // A watcher listed now is renewed with as a listed ledger; one that is later unlisted is gone.
    for (Entry entry : entries.values()) if (entry.watcher != null && ledgers.contains(entry.watcher)) entry.watcher = null;
    return Behaviors.same();
  }

  /** Released: stop renewing, and tell every ledger, so a decider need not wait this lease out. */
  private Behavior<Command> onDrop(Drop drop) {
    Entry entry = entries.get(drop.group());
    if (entry != null && entry.held) {
      for (ActorRef<EpochLedger.Command> ledger : targets()) ledger.tell(new EpochLedger.Renounce(drop.group(), entry.epoch));
    }
    entries.remove(drop.group());
    return Behaviors.same();
  }

  private Behavior<Command> onHold(Hold hold) {
    Entry held = entries.get(hold.group());
    if (held != null) {
      held.epoch = Math.max(held.epoch, hold.epoch());
      if (unlisted(hold.watcher()) != null) held.watcher = hold.watcher();
      if (held.held) listener.tell(new LeaseHeld(hold.group(), held.epoch, held.lease.validUntilNanos()));
      return Behaviors.same();
    }
    Entry entry = new Entry(hold.epoch(), new Lease(settings.duration().toNanos(), System::nanoTime));
    entry.watcher = unlisted(hold.watcher());
    entries.put(hold.group(), entry);
    // Not a round per hold: a mass takeover sends dozens at once, and the holds already queued
    // behind this one join the round this message asks for (one ask per ledger, not dozens).
    if (!firstRoundDue) {
      firstRoundDue = true;
      context.getSelf().tell(FirstRound.INSTANCE);
    }
    return Behaviors.same();
  }

  /** One round: the send time is taken before anything goes out. */
  private void renew() {
    if (entries.isEmpty()) return;
    long thisRound = ++round;
    Map<String, Long> epochs = new HashMap<>();
    Set<String> ahead = new HashSet<>();
    entries.forEach((group, entry) -> {
      entry.lease.sent(thisRound);
      epochs.put(group, entry.epoch);
      if (!entry.held) ahead.add(group);
    });
    Map<String, Long> sent = Map.copyOf(epochs);
    Set<String> notYetHeld = Set.copyOf(ahead);
    long durationNanos = settings.duration().toNanos();
    String self = members.selfAddress();
    for (ActorRef<EpochLedger.Command> ledger : targets()) {
      String node = members.addressOf(ledger);
      Ask.ask(context, EpochLedger.Renewed.class, ledger, settings.duration(),
          replyTo -> new EpochLedger.Renew(sent, durationNanos, self, notYetHeld, replyTo),
          (answer, failure) -> new Answer(thisRound, node, answer));
    }
    scheduleExpiry();
  }

  /** {@code watcher} unless it is null or already listed here. */
  private ActorRef<EpochLedger.Command> unlisted(ActorRef<EpochLedger.Command> watcher) {
    return watcher == null || ledgers.contains(watcher) ? null : watcher;
  }

  /**
   * The recovered ledgers, the deciders' watchers not seen here yet whose node is still a member,
   * and the ledger of every other voter not listed here yet (see {@link LedgerPaths}). A ledger
   * grants only once it has caught up, so a watcher's grant counts like any other, and its refusal
   * ends a lease.
   */
  private Set<ActorRef<EpochLedger.Command>> targets() {
    Set<ActorRef<EpochLedger.Command>> targets = new LinkedHashSet<>(ledgers);
    for (Entry entry : entries.values()) {
      if (entry.watcher != null && members.isMember(members.addressOf(entry.watcher))) targets.add(entry.watcher);
    }
    Set<String> listed = new HashSet<>();
    for (ActorRef<EpochLedger.Command> ledger : targets) listed.add(members.addressOf(ledger));
    // This node's own ledger is listed here within moments of its recovery: never asked at its path.
    listed.add(members.selfAddress());
    targets.addAll(unlistedLedgers.ledgersOfUnlisted(listed, members.voters()));
    return targets;
  }

  private Behavior<Command> onAnswer(Answer answer) {
    if (answer.renewed() == null) return Behaviors.same();
    Map<String, Long> extended = new HashMap<>();
    boolean abstained = answer.renewed().abstained();
    if (abstained) {
      abstainedIn.computeIfAbsent(answer.round(), r -> new HashSet<>()).add(answer.node());
      abstainedIn.keySet().removeIf(r -> r <= answer.round() - ROUNDS_KEPT);
    }
    Predicate<Set<String>> survives = survives(answer.round());
    // The round's voters shrank: the grants it already has may now be a surviving set.
    if (abstained) entries.forEach((group, entry) -> judge(group, entry, entry.lease.reconsider(answer.round(), survives), extended));
    for (String group : answer.renewed().granted()) {
      Entry entry = entries.get(group);
      if (entry != null) judge(group, entry, entry.lease.grant(answer.round(), answer.node(), survives), extended);
    }
    if (!extended.isEmpty()) listener.tell(new LeasesExtended(Map.copyOf(extended)));
    answer.renewed().superseded().forEach((group, promised) -> {
      Entry entry = entries.get(group);
      if (entry == null || promised <= entry.epoch) return;
      // A claim not yet carried out is stale at once. A held lease runs its course: those ledgers no
      // longer grant it, so it ends by itself unless a surviving set still does (a promise round
      // that failed); the holder serves until its decider's release or that end, never beyond.
      if (!entry.held) lose(group, "epoch " + promised + " was promised on " + answer.renewed().node());
      else if (entry.supersededOn.isEmpty()) entry.supersededOn = "epoch " + promised + " was promised on " + answer.renewed().node();
    });
    scheduleExpiry();
    return Behaviors.same();
  }

  /** Whether a set that granted {@code round} survives among the voters that did not abstain from it. */
  private Predicate<Set<String>> survives(long round) {
    Set<String> abstained = abstainedIn.getOrDefault(round, Set.of());
    List<Quorum.Voter> voters = members.voters().stream().filter(v -> !abstained.contains(v.address())).toList();
    return by -> quorum.survives(by, voters);
  }

  private void judge(String group, Entry entry, boolean reachesFurther, Map<String, Long> extended) {
    if (!reachesFurther) return;
    if (!entry.held) {
      entry.held = true;
      listener.tell(new LeaseHeld(group, entry.epoch, entry.lease.validUntilNanos()));
    } else {
      extended.put(group, entry.lease.validUntilNanos());
    }
  }

  private void expire() {
    long now = System.nanoTime();
    for (String group : List.copyOf(entries.keySet())) {
      Entry entry = entries.get(group);
      if (entry.held && !entry.lease.valid()) {
        lose(group, "no surviving set of nodes granted a renewal within " + settings.duration().toMillis() + " ms"
            + (entry.supersededOn.isEmpty() ? "" : " (" + entry.supersededOn + ")"));
      } else if (!entry.held && now - entry.since >= acquireNanos()) {
        lose(group, "no surviving set of nodes granted the lease within " + acquireNanos() / 1_000_000 + " ms");
      }
    }
    scheduleExpiry();
  }

  /**
   * How long a claim may wait for its first grant: longer than a lease, since nothing is held yet
   * (no safety at stake) and a node that just started may not have listed every ledger.
   */
  private long acquireNanos() {
    return settings.duration().toNanos() * 4;
  }

  private void lose(String group, String why) {
    Entry entry = entries.remove(group);
    if (entry != null) listener.tell(new LeaseLost(group, entry.epoch, why));
  }

  /** One timer, at the earliest moment a lease (or a pending first grant) runs out. */
  private void scheduleExpiry() {
    long now = System.nanoTime();
    long next = Long.MAX_VALUE;
    for (Entry entry : entries.values()) {
      long left = entry.held ? entry.lease.remainingNanos() : entry.since + acquireNanos() - now;
      next = Math.min(next, Math.max(0, left));
    }
    if (next == Long.MAX_VALUE) timers.cancel(Expiry.INSTANCE);
    else timers.startSingleTimer(Expiry.INSTANCE, Duration.ofNanos(next));
  }
}
