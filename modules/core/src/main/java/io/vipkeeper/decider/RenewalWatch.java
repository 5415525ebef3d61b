package io.vipkeeper.decider;

import io.vipkeeper.Ask;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.membership.Members;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Watches, for every decider on this node, whether its holder's lease renewals still reach this
 * node's ledger: one question to the ledger for all watched groups (not one per group: 100 groups
 * made 1,000 asks a second), and a word to a decider only when its holder has not renewed for
 * suspect-after. The next question goes when the most silent holder would reach suspect-after, not
 * every renew-interval: a holder that renews is asked about twice a second instead of ten times,
 * and a silent one is suspected at suspect-after, not up to a renew-interval later.
 */
public final class RenewalWatch {

  public sealed interface Command {}

  /** Watch {@code group}, held by the node at {@code holder} since {@code placedAtNanos}; replaces an earlier watch. */
  public record Watch(String group, String holder, long placedAtNanos, ActorRef<Suspected> decider) implements Command {}

  /** The group has no holder elsewhere now (placing, held on this node, or gone). */
  public record Unwatch(String group) implements Command {}

  /** No renewal of {@code holder} seen for {@code sinceNanos}; the watch on the group ends with it. */
  public record Suspected(String group, String holder, long sinceNanos) {}

  private enum Tick implements Command { INSTANCE }

  private record Ledgers(Receptionist.Listing listing) implements Command {}

  /** {@code since} null: the ledger did not answer in time, which says nothing about the holders. */
  private record Seen(Map<String, Long> since) implements Command {}

  public static Behavior<Command> create(Duration renewInterval, Duration suspectAfter) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      context.getSystem().receptionist().tell(Receptionist.subscribe(EpochLedger.KEY,
          context.messageAdapter(Receptionist.Listing.class, Ledgers::new)));
      return new RenewalWatch(context, timers, renewInterval, suspectAfter).behavior();
    }));
  }

  /** The soonest a question follows the last answer (a holder just short of suspect-after). */
  private static final long MIN_PAUSE_NANOS = 10_000_000;

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Duration renewInterval;
  private final Duration suspectAfter;
  private final Members members;
  private final Map<String, Watch> watched = new HashMap<>();
  private ActorRef<EpochLedger.Command> ledger;
  /** When this node's ledger was listed: holders learn of it only then, so its silence counts from here. */
  private long listedAtNanos;
  private boolean asking;
  /** When the next question is due (nanoTime; 0: none planned). */
  private long nextAskNanos;

  private RenewalWatch(ActorContext<Command> context, TimerScheduler<Command> timers, Duration renewInterval, Duration suspectAfter) {
    this.context = context;
    this.timers = timers;
    this.renewInterval = renewInterval;
    this.suspectAfter = suspectAfter;
    this.members = new Members(context.getSystem());
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Watch.class, this::onWatch)
        .onMessage(Unwatch.class, u -> { watched.remove(u.group()); return Behaviors.same(); })
        .onMessage(Ledgers.class, this::onLedgers)
        .onMessage(Tick.class, t -> { nextAskNanos = 0; return ask(); })
        .onMessage(Seen.class, this::onSeen)
        .build();
  }

  private Behavior<Command> onLedgers(Ledgers ledgers) {
    String self = members.selfAddress();
    Optional<ActorRef<EpochLedger.Command>> local = ledgers.listing().getServiceInstances(EpochLedger.KEY).stream()
        .filter(l -> members.addressOf(l).equals(self)).findFirst();
    ActorRef<EpochLedger.Command> before = ledger;
    ledger = local.orElse(null);
    if (ledger != null && !ledger.equals(before)) listedAtNanos = System.nanoTime();
    return Behaviors.same();
  }

  /** A new group is asked about within a renew-interval, as its holder may never renew here. */
  private Behavior<Command> onWatch(Watch watch) {
    watched.put(watch.group(), watch);
    if (!asking) askWithin(renewInterval.toNanos());
    return Behaviors.same();
  }

  /** Plans the next question no later than {@code nanos} from now (an earlier plan stands). */
  private void askWithin(long nanos) {
    long at = System.nanoTime() + Math.max(nanos, MIN_PAUSE_NANOS);
    if (nextAskNanos != 0 && nextAskNanos - at <= 0) return;
    nextAskNanos = at;
    timers.startSingleTimer(Tick.INSTANCE, Duration.ofNanos(Math.max(0, at - System.nanoTime())));
  }

  /** One question at a time: on a loaded host a slow answer is dropped, not judged, and asked again. */
  private Behavior<Command> ask() {
    if (watched.isEmpty() || asking) return Behaviors.same(); // the answer plans the next question
    if (ledger == null) {
      askWithin(renewInterval.toNanos());
      return Behaviors.same();
    }
    asking = true;
    List<String> groups = List.copyOf(watched.keySet());
    Ask.ask(context, EpochLedger.RenewalsSeen.class, ledger, suspectAfter, replyTo -> new EpochLedger.LastRenewals(groups, replyTo),
        (seen, failure) -> new Seen(seen == null ? null : seen.sinceNanos()));
    return Behaviors.same();
  }

  private Behavior<Command> onSeen(Seen seen) {
    asking = false;
    if (seen.since() == null) {
      askWithin(renewInterval.toNanos());
      return Behaviors.same();
    }
    long now = System.nanoTime();
    long next = suspectAfter.toNanos();
    for (Watch w : List.copyOf(watched.values())) {
      Long since = seen.since().get(w.group());
      if (since == null) { // watched since the question went out
        next = Math.min(next, renewInterval.toNanos());
        continue;
      }
      // A holder renews with a ledger once it has seen it listed: "never renewed here" counts from
      // the later of the placement and that listing (a decider placing before its own ledger was
      // listed suspected a holder that had had no chance to renew here yet).
      long from = w.placedAtNanos() - listedAtNanos > 0 ? w.placedAtNanos() : listedAtNanos;
      Optional<HolderWatch.Verdict> verdict = HolderWatch.renewal(since, now - from, suspectAfter);
      if (verdict.isEmpty()) {
        next = Math.min(next, suspectAfter.toNanos() - (since >= 0 ? since : now - from));
        continue;
      }
      watched.remove(w.group());
      w.decider().tell(new Suspected(w.group(), w.holder(), since));
    }
    askWithin(next);
    return Behaviors.same();
  }
}
