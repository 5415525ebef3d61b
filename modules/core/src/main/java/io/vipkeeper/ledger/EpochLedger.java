package io.vipkeeper.ledger;

import io.vipkeeper.Ask;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vipkeeper.CborSerializable;
import io.vipkeeper.lease.LeaseGrants;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import java.time.Duration;

/**
 * This node's durable memory of epochs, in its local journal: the highest epoch it has promised
 * per group (it never promises a lower one again, also after a restart) and its ownership history.
 * A group's decider must get the promise of a surviving set of nodes before it orders a claim.
 */
public final class EpochLedger extends EventSourcedBehavior<EpochLedger.Command, EpochLedger.Event, EpochLedger.State> {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "vipkeeper-ledger");

  /**
   * Every recovered ledger, listed or not: what a catching-up ledger asks. An unlisted ledger's
   * answer is still its persisted promises, so ledgers that restart together can catch up from
   * each other instead of each waiting for listed ones that never come.
   */
  public static final ServiceKey<Command> RECOVERED = ServiceKey.create(Command.class, "vipkeeper-ledger-recovered");

  public sealed interface Command {}

  /**
   * Promise never to accept an epoch below {@code epoch} for {@code group}, and to grant leases on
   * {@code epoch} only to the node at address {@code to} ("" any node): two deciders racing for one
   * epoch cannot both hand out leases on it, whichever comes first here, their promise or their
   * target's renewal.
   */
  public record Promise(String group, long epoch, String to, ActorRef<PromiseResult> replyTo) implements Command, CborSerializable {

    /** A promise for whichever node holds the epoch (a ledger catching up). */
    public Promise(String group, long epoch, ActorRef<PromiseResult> replyTo) {
      this(group, epoch, "", replyTo);
    }
  }

  /**
   * {@code backedForNanos}: how long a lease this node granted for the group may still run when it
   * answered (see {@link LeaseGrants#backedForNanos}).
   */
  public record PromiseResult(String group, long epoch, String node, boolean promised, long highest, long backedForNanos,
      long votesInNanos) implements CborSerializable {

    /** {@code votesInNanos}: above 0, a refusal only because this ledger abstained lately; it promises again that much later. */
    public PromiseResult(String group, long epoch, String node, boolean promised, long highest, long backedForNanos) {
      this(group, epoch, node, promised, highest, backedForNanos, 0);
    }
  }

  /**
   * The node at address {@code holder} renews its lease on {@code epochs} (group to epoch) for
   * {@code durationNanos}; {@code ahead}: the groups whose lease no surviving set granted yet (a
   * move's target leasing beside the promise). Answered from memory, unless it names an epoch newer
   * than promised here: that one is learned (written) for that holder first.
   */
  public record Renew(Map<String, Long> epochs, long durationNanos, String holder, Set<String> ahead, ActorRef<Renewed> replyTo)
      implements Command, CborSerializable {

    public Renew(Map<String, Long> epochs, long durationNanos, ActorRef<Renewed> replyTo) {
      this(epochs, durationNanos, "", Set.of(), replyTo);
    }

    public Renew(Map<String, Long> epochs, long durationNanos, String holder, ActorRef<Renewed> replyTo) {
      this(epochs, durationNanos, holder, Set.of(), replyTo);
    }
  }

  /**
   * The groups granted, and for each refused one the newer epoch promised here. {@code abstained}:
   * this ledger has not caught up yet, grants nothing and counts in no lease round; it promises
   * nothing until two lease durations after its last abstention, so no lease that left it out of
   * the voters can still run when it first helps promise an epoch.
   */
  public record Renewed(String node, List<String> granted, Map<String, Long> superseded, boolean abstained)
      implements CborSerializable {}

  /** The holder of {@code epoch} released {@code group}: its grants back nothing any more. */
  public record Renounce(String group, long epoch) implements Command, CborSerializable {}

  /** How long a lease granted here on an epoch of {@code group} older than {@code epoch} may still run. */
  public record GetBacking(String group, long epoch, ActorRef<Backing> replyTo) implements Command, CborSerializable {

    public GetBacking(String group, ActorRef<Backing> replyTo) {
      this(group, Long.MAX_VALUE, replyTo);
    }
  }

  public record Backing(String node, long backedForNanos) implements CborSerializable {}

  /** Another ledger asks for the epochs promised here (a starting ledger catching up). */
  public record GetPromises(ActorRef<Promises> replyTo) implements Command, CborSerializable {}

  public record Promises(String node, Map<String, Long> promised) implements CborSerializable {}

  /** Time to write the promises and records that came since the last write, in one go. */
  private enum Flush implements Command { INSTANCE }

  /** Start of the catch-up: the other ledgers, as the receptionist knows them now. */
  private record Others(Receptionist.Listing listing) implements Command {}

  /** This node is Up: the catch-up can start. */
  private enum SelfUp implements Command { INSTANCE }

  /** {@code promises} null: the peer at {@code address} did not answer in time. */
  private record CaughtUp(String address, Promises promises) implements Command {}

  /** The deciders' renewal watch asks, for all the groups it watches at once, when each was last renewed here. */
  public record LastRenewals(List<String> groups, ActorRef<RenewalsSeen> replyTo) implements Command, CborSerializable {}

  /** Group to nanoseconds since its last grant here; -1 when never. */
  public record RenewalsSeen(Map<String, Long> sinceNanos) implements CborSerializable {}


  /** A claim or release this node carried out, for the history. */
  public record Record(String group, long epoch, boolean claimed, String reason) implements Command, CborSerializable {}

  public record GetHistory(ActorRef<History> replyTo) implements Command, CborSerializable {}

  public record History(String node, List<Event> events) implements CborSerializable {}

  /** Typed in JSON because lists of events (state, history) hold all three kinds. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Promised.class, name = "promised"),
      @JsonSubTypes.Type(value = Claimed.class, name = "claimed"),
      @JsonSubTypes.Type(value = Released.class, name = "released")})
  public sealed interface Event extends CborSerializable {
    String group();

    long epoch();
  }

  /** {@code to}: the only node leases on the epoch go to; "" or null (written before it was kept): any. */
  public record Promised(String group, long epoch, long atMillis, String to) implements Event {}

  public record Claimed(String group, long epoch, long atMillis, String reason) implements Event {}

  public record Released(String group, long epoch, long atMillis, String reason) implements Event {}

  /**
   * Highest promise per group and whom its leases go to ({@link Promised#to}), groups held when the
   * journal ends, and the recent history.
   */
  public record State(Map<String, Long> promised, Map<String, String> promisedTo, Map<String, Long> holding, List<Event> recent)
      implements CborSerializable {
    static final int RECENT = 500;

    State apply(Event event) {
      Map<String, Long> p = new HashMap<>(promised);
      Map<String, String> to = new HashMap<>(promisedTo);
      Map<String, Long> h = new HashMap<>(holding);
      if (event instanceof Promised e && e.epoch() > p.getOrDefault(e.group(), 0L)) {
        p.put(e.group(), e.epoch());
        to.put(e.group(), e.to() == null ? "" : e.to());
      }
      if (event instanceof Claimed e) h.put(e.group(), e.epoch());
      if (event instanceof Released e) h.remove(e.group());
      List<Event> r = new ArrayList<>(recent.size() >= RECENT ? recent.subList(1, recent.size()) : recent);
      r.add(event);
      return new State(Map.copyOf(p), Map.copyOf(to), Map.copyOf(h), List.copyOf(r));
    }
  }

  /** What the ledger tells its interface actor. */
  public sealed interface Notice {}

  public record Ready(Map<String, Long> promised, Map<String, Long> holding) implements Notice {}

  public record Failed(String reason) implements Notice {}

  public record NewPromise(String group, long epoch) implements Notice {}

  public static Behavior<Command> create(String nodeName, ActorRef<Notice> listener) {
    return Behaviors.setup(context -> new EpochLedger(context, nodeName, listener, CatchUpRule.of(context.getSystem())));
  }

  private final ActorContext<Command> context;
  private final String nodeName;
  private final ActorRef<Notice> listener;
  /** Lease grants live in memory only: a restarted node has granted nothing, which is the truth. */
  private final LeaseGrants grants = new LeaseGrants(System::nanoTime);
  private final CatchUpRule catchUp;
  private final LedgerPaths unlisted;
  /** Ledgers still to answer this catch-up attempt, and the addresses of those that did. */
  private int waitingFor;
  private final Set<String> heardFrom = new HashSet<>();
  private boolean listed;
  /** Until when (nanoTime) this ledger promises nothing: two lease durations after it last abstained. */
  private long abstainUntil = System.nanoTime();
  /**
   * Promises and records that came since the last write began: written together by the next
   * Flush, in one transaction (group commit). A mass takeover asks for dozens of promises at once;
   * one write each, behind one another, held every renewal back for as long.
   */
  private final List<Command> unwritten = new ArrayList<>();
  private static final Duration CATCH_UP = Duration.ofSeconds(1);

  private EpochLedger(ActorContext<Command> context, String nodeName, ActorRef<Notice> listener, CatchUpRule catchUp) {
    super(PersistenceId.ofUniqueId("vipkeeper-ledger-" + nodeName));
    this.context = context;
    this.nodeName = nodeName;
    this.listener = listener;
    this.catchUp = catchUp;
    this.unlisted = new LedgerPaths(context.getSystem(), context.getSelf().path().parent().child("ledger"));
  }

  @Override
  public State emptyState() {
    return new State(Map.of(), Map.of(), Map.of(), List.of());
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Promise.class, this::onPromise)
        .onCommand(Record.class, (state, r) -> queue(r))
        .onCommand(Flush.class, (state, f) -> onFlush(state))
        .onCommand(Renew.class, this::onRenew)
        .onCommand(GetPromises.class, this::read)
        .onCommand(SelfUp.class, (state, up) -> Effect().none().thenRun(s ->
            // The receptionist's view of the others may lag: those it does not list yet are asked at their path.
            context.getSystem().receptionist().tell(
                Receptionist.find(RECOVERED, context.messageAdapter(Receptionist.Listing.class, Others::new)))))
        .onCommand(Others.class, this::onOthers)
        .onCommand(CaughtUp.class, this::onCaughtUp)
        .onCommand(Renounce.class, (state, r) -> Effect().none().thenRun(s -> grants.renounce(r.group(), r.epoch())))
        .onCommand(GetBacking.class, (state, q) -> Effect().none().thenRun(s ->
            q.replyTo().tell(new Backing(nodeName, grants.backedForNanos(q.group(), q.epoch())))))
        .onCommand(LastRenewals.class, (state, q) -> Effect().none().thenRun(s -> {
          Map<String, Long> since = new HashMap<>();
          q.groups().forEach(g -> since.put(g, grants.sinceLastGrantNanos(g)));
          q.replyTo().tell(new RenewalsSeen(since));
        }))
        .onCommand(GetHistory.class, this::read)
        .build();
  }

  /**
   * Answered from memory: a renewal costs no write. A promise being persisted holds it back (stash).
   * Nothing is granted before this ledger has caught up: it may not know the newest epoch yet (a
   * lost journal), and holders count every member's grant. An epoch newer than promised here (a
   * holder this node joined after, or a move's target renewing before its decider's promise came)
   * is learned for that holder in the next write, in arrival order with the promises, then granted.
   */
  private Effect<Event, State> onRenew(State state, Renew renew) {
    if (!listed) return abstain(state, renew);
    boolean newer = renew.epochs().entrySet().stream().anyMatch(e -> e.getValue() > state.promised().getOrDefault(e.getKey(), 0L));
    if (newer) return queue(renew);
    Verdict verdict = judge(renew, new HashMap<>(state.promised()), new HashMap<>(state.promisedTo()), new ArrayList<>(), 0);
    return Effect().none().thenRun(s -> grant(verdict, s));
  }

  /** Not caught up yet: nothing granted, an abstention; a newer epoch is still learned, so it is never promised again here. */
  private Effect<Event, State> abstain(State state, Renew renew) {
    Map<String, Long> superseded = new HashMap<>();
    renew.epochs().forEach((group, epoch) -> {
      long promised = state.promised().getOrDefault(group, 0L);
      if (epoch < promised) superseded.put(group, promised);
    });
    List<Promised> learned = newerThanPromised(state, renew.epochs(), renew.holder());
    abstainUntil = System.nanoTime() + 2 * renew.durationNanos();
    Renewed answer = new Renewed(nodeName, List.of(), superseded, true);
    if (learned.isEmpty()) return Effect().none().thenRun(s -> renew.replyTo().tell(answer));
    return Effect().<Event>persist(List.copyOf(learned)).thenRun(s -> {
      learned.forEach(e -> listener.tell(new NewPromise(e.group(), e.epoch())));
      renew.replyTo().tell(answer);
    });
  }

  /** What a renewal is granted and refused, with the promises as they stand at {@code highest} and {@code to}. */
  private record Verdict(Renew renew, List<String> granted, Map<String, Long> superseded) {}

  /**
   * Judges {@code renew} against {@code highest} and {@code to} (updated with what it teaches, which
   * goes to {@code learned}): a grant needs the epoch promised here, and to this holder if the
   * promise named one. A lease taken ahead of its promise teaches an epoch only to a ledger that
   * may help promise (see {@link #votes}): otherwise a refused promise would still end the holder's
   * lease through the target's renewals. A held lease's epoch was promised by a surviving set: it is
   * learned and granted also in that window, as ever.
   */
  private Verdict judge(Renew renew, Map<String, Long> highest, Map<String, String> to, List<Event> learned, long nowMillis) {
    List<String> granted = new ArrayList<>();
    Map<String, Long> superseded = new HashMap<>();
    boolean votes = votes();
    renew.epochs().forEach((group, epoch) -> {
      long promised = highest.getOrDefault(group, 0L);
      if (epoch > promised && (votes || !renew.ahead().contains(group))) {
        learned.add(new Promised(group, epoch, nowMillis, renew.holder()));
        highest.put(group, epoch);
        to.put(group, renew.holder());
        granted.add(group);
      } else if (epoch == promised && leasesGoTo(to.get(group), renew.holder())) {
        granted.add(group);
      } else if (epoch < promised) {
        superseded.put(group, promised);
      }
    });
    return new Verdict(renew, granted, superseded);
  }

  private static boolean leasesGoTo(String promisedTo, String holder) {
    return promisedTo == null || promisedTo.isEmpty() || promisedTo.equals(holder);
  }

  /**
   * Whether this ledger may help promise an epoch (also one it already learned for the same
   * target): not for two lease durations after it last abstained, since a lease round that left it
   * out may still run, and a promising set without it would not hear of that lease.
   */
  private boolean votes() {
    return System.nanoTime() - abstainUntil >= 0;
  }

  /** Grants what the verdict allows under {@code state} (a later promise in the same write may refuse it) and answers. */
  private void grant(Verdict verdict, State state) {
    Renew renew = verdict.renew();
    List<String> granted = new ArrayList<>();
    for (String group : verdict.granted()) {
      if (grants.renew(group, renew.epochs().get(group), state.promised().getOrDefault(group, 0L), renew.durationNanos())) granted.add(group);
    }
    renew.replyTo().tell(new Renewed(nodeName, granted, verdict.superseded(), false));
  }

  /**
   * Catching up at start: ask every other recovered ledger what it promised (one bounded ask each:
   * those the receptionist lists, and the other voters' at their path), take the highest. Listed
   * (so counted as a voter and asked for promises) only once a surviving set of the other members
   * answered: any set that promised an epoch before survived too, so the
   * two share a member and this ledger learns that epoch before it can help promise it again.
   */
  private Effect<Event, State> onOthers(State state, Others others) {
    if (listed) return Effect().none();
    List<ActorRef<Command>> peers = new ArrayList<>(others.listing().getServiceInstances(RECOVERED).stream()
        .filter(r -> !r.equals(context.getSelf())).toList());
    Set<String> listed = new HashSet<>();
    for (ActorRef<Command> peer : peers) listed.add(catchUp.addressOf(peer));
    peers.addAll(unlisted.ledgersOfUnlisted(listed, catchUp.otherVoters()));
    waitingFor = peers.size();
    heardFrom.clear();
    if (peers.isEmpty()) return Effect().none().thenRun(s -> finishCatchUp());
    for (ActorRef<Command> peer : peers) {
      String address = catchUp.addressOf(peer);
      Ask.ask(context, Promises.class, peer, CATCH_UP, GetPromises::new, (answer, failure) -> new CaughtUp(address, answer));
    }
    return Effect().none();
  }

  private Effect<Event, State> onCaughtUp(State state, CaughtUp caughtUp) {
    if (waitingFor <= 0) return Effect().none();
    waitingFor--;
    if (caughtUp.promises() != null) heardFrom.add(caughtUp.address());
    Map<String, Long> promised = caughtUp.promises() == null ? Map.of() : caughtUp.promises().promised();
    List<Promised> learned = newerThanPromised(state, promised, "");
    boolean done = waitingFor == 0;
    return Effect().<Event>persist(List.copyOf(learned)).thenRun(s -> {
      learned.forEach(e -> {
        context.getLog().info("caught up: group {} epoch {} promised by {}", e.group(), e.epoch(), caughtUp.promises().node());
        listener.tell(new NewPromise(e.group(), e.epoch()));
      });
      if (done) finishCatchUp();
    });
  }

  /** Listed if a surviving set of the others answered; otherwise asked again a second later. */
  private void finishCatchUp() {
    if (catchUp.enough(heardFrom)) {
      context.getLog().info("LEDGER LISTED: caught up from {} other member(s); this node now votes on epochs and leases", heardFrom.size());
      listed = true;
      register();
      return;
    }
    context.getLog().warn("epoch ledger not listed yet: heard from {} of the other members, not a set that would survive a split;"
        + " asking again", heardFrom.size());
    context.scheduleOnce(CATCH_UP, context.getSystem().receptionist(),
        Receptionist.find(RECOVERED, context.messageAdapter(Receptionist.Listing.class, Others::new)));
  }

  /** Promises to persist for the epochs in {@code epochs} newer than what this ledger promised. */
  private static List<Promised> newerThanPromised(State state, Map<String, Long> epochs, String to) {
    List<Promised> newer = new ArrayList<>();
    epochs.forEach((group, epoch) -> {
      if (epoch > state.promised().getOrDefault(group, 0L)) newer.add(new Promised(group, epoch, System.currentTimeMillis(), to));
    });
    return newer;
  }

  private void register() {
    // Listed only once it can answer and knows what the others promised: a holder counts a listed
    // ledger as a voter, and a decider's promise round includes it.
    context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
  }

  private Effect<Event, State> onPromise(State state, Promise promise) {
    long highest = state.promised().getOrDefault(promise.group(), 0L);
    boolean again = promise.epoch() == highest && sameTarget(promise, state.promisedTo());
    if (promise.epoch() < highest || (promise.epoch() == highest && !again)) {
      return Effect().none().thenRun(s -> promise.replyTo().tell(refusal(promise, highest)));
    }
    if (!votes()) {
      // A holder may still count a lease round that left this ledger out: not yet.
      context.getLog().debug("not promising epoch {} of {}: abstained from a lease round lately", promise.epoch(), promise.group());
      long votesIn = Math.max(1, abstainUntil - System.nanoTime());
      return Effect().none().thenRun(s -> promise.replyTo().tell(new PromiseResult(promise.group(), promise.epoch(), nodeName, false,
          highest, grants.backedForNanos(promise.group(), promise.epoch()), votesIn)));
    }
    // Asked again for the same target (or learned from its renewal first): promised already.
    return queue(promise);
  }

  private static boolean sameTarget(Promise promise, Map<String, String> promisedTo) {
    return !promise.to().isEmpty() && promise.to().equals(promisedTo.get(promise.group()));
  }

  /** A read sees every write asked for before it: behind a queued write, it is answered once that is written. */
  private Effect<Event, State> read(State state, Command read) {
    if (!unwritten.isEmpty()) return queue(read);
    return Effect().none().thenRun(s -> answer(read, s));
  }

  private void answer(Command read, State state) {
    if (read instanceof GetHistory q) q.replyTo().tell(new History(nodeName, state.recent()));
    if (read instanceof GetPromises q) q.replyTo().tell(new Promises(nodeName, state.promised()));
  }

  /** The first command since the last write asks for the next one; those behind it join it. */
  private Effect<Event, State> queue(Command command) {
    unwritten.add(command);
    if (unwritten.size() > 1) return Effect().none();
    return Effect().none().thenRun(s -> context.getSelf().tell(Flush.INSTANCE));
  }

  /**
   * Everything queued, decided in arrival order as if one by one, written as one batch. Persisted
   * before any answer: a promise survives a crash right after it is given.
   */
  private Effect<Event, State> onFlush(State state) {
    List<Command> batch = List.copyOf(unwritten);
    unwritten.clear();
    Map<String, Long> highest = new HashMap<>(state.promised());
    Map<String, String> to = new HashMap<>(state.promisedTo());
    List<Event> events = new ArrayList<>();
    List<Promise> given = new ArrayList<>();
    List<Map.Entry<Promise, Long>> refused = new ArrayList<>();
    List<Verdict> renewals = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (Command command : batch) {
      if (command instanceof Record r) {
        events.add(r.claimed() ? new Claimed(r.group(), r.epoch(), now, r.reason()) : new Released(r.group(), r.epoch(), now, r.reason()));
      } else if (command instanceof Renew r) {
        renewals.add(judge(r, highest, to, events, now));
      } else if (command instanceof Promise p && p.epoch() > highest.getOrDefault(p.group(), 0L)) {
        highest.put(p.group(), p.epoch());
        to.put(p.group(), p.to());
        events.add(new Promised(p.group(), p.epoch(), now, p.to()));
        given.add(p);
      } else if (command instanceof Promise p && p.epoch() == highest.getOrDefault(p.group(), 0L) && sameTarget(p, to)) {
        given.add(p);
      } else if (command instanceof Promise p) {
        refused.add(Map.entry(p, highest.getOrDefault(p.group(), 0L)));
      }
    }
    EffectBuilder<Event, State> write = events.isEmpty() ? Effect().none() : Effect().persist(events);
    return write.thenRun(s -> {
      events.forEach(e -> { if (e instanceof Promised p) listener.tell(new NewPromise(p.group(), p.epoch())); });
      for (Promise p : given) {
        // Measured after the write: no renewal of an older epoch is granted from here on.
        p.replyTo().tell(new PromiseResult(p.group(), p.epoch(), nodeName, true, p.epoch(), grants.backedForNanos(p.group(), p.epoch())));
      }
      renewals.forEach(v -> grant(v, s));
      refused.forEach(r -> r.getKey().replyTo().tell(refusal(r.getKey(), r.getValue())));
      batch.forEach(c -> answer(c, s));
    });
  }

  private PromiseResult refusal(Promise promise, long highest) {
    return new PromiseResult(promise.group(), promise.epoch(), nodeName, false, highest, grants.backedForNanos(promise.group(), promise.epoch()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          listener.tell(new Ready(state.promised(), state.holding()));
          context.getSystem().receptionist().tell(Receptionist.register(RECOVERED, context.getSelf()));
          ActorRef<Command> self = context.getSelf();
          catchUp.whenUp(() -> self.tell(SelfUp.INSTANCE));
        })
        .onSignal(RecoveryFailed.class, (state, failed) -> {
          context.getLog().error("epoch journal unreadable: {}", String.valueOf(failed.getFailure()));
          listener.tell(new Failed(String.valueOf(failed.getFailure().getMessage())));
        })
        .build();
  }
}
