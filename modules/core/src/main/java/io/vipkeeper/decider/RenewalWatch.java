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
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Watches, for every decider on this node, whether its holder's lease renewals still reach this
 * node's ledger: one question to the ledger per renew-interval for all watched groups (not one per
 * group: 100 groups made 1,000 asks a second), and a word to a decider only when its holder has
 * not renewed for suspect-after.
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
      timers.startTimerWithFixedDelay(Tick.INSTANCE, renewInterval);
      context.getSystem().receptionist().tell(Receptionist.subscribe(EpochLedger.KEY,
          context.messageAdapter(Receptionist.Listing.class, Ledgers::new)));
      return new RenewalWatch(context, suspectAfter).behavior();
    }));
  }

  private final ActorContext<Command> context;
  private final Duration suspectAfter;
  private final Members members;
  private final Map<String, Watch> watched = new HashMap<>();
  private ActorRef<EpochLedger.Command> ledger;
  /** When this node's ledger was listed: holders learn of it only then, so its silence counts from here. */
  private long listedAtNanos;
  private boolean asking;

  private RenewalWatch(ActorContext<Command> context, Duration suspectAfter) {
    this.context = context;
    this.suspectAfter = suspectAfter;
    this.members = new Members(context.getSystem());
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Watch.class, w -> { watched.put(w.group(), w); return Behaviors.same(); })
        .onMessage(Unwatch.class, u -> { watched.remove(u.group()); return Behaviors.same(); })
        .onMessage(Ledgers.class, this::onLedgers)
        .onMessage(Tick.class, t -> ask())
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

  /** One question at a time: on a loaded host a slow answer is dropped, not judged, as the next tick asks again. */
  private Behavior<Command> ask() {
    if (watched.isEmpty() || ledger == null || asking) return Behaviors.same();
    asking = true;
    List<String> groups = List.copyOf(watched.keySet());
    Ask.ask(context, EpochLedger.RenewalsSeen.class, ledger, suspectAfter, replyTo -> new EpochLedger.LastRenewals(groups, replyTo),
        (seen, failure) -> new Seen(seen == null ? null : seen.sinceNanos()));
    return Behaviors.same();
  }

  private Behavior<Command> onSeen(Seen seen) {
    asking = false;
    if (seen.since() == null) return Behaviors.same();
    long now = System.nanoTime();
    for (Watch w : List.copyOf(watched.values())) {
      Long since = seen.since().get(w.group());
      if (since == null) continue;
      // A holder renews with a ledger once it has seen it listed: "never renewed here" counts from
      // the later of the placement and that listing (a decider placing before its own ledger was
      // listed suspected a holder that had had no chance to renew here yet).
      long from = w.placedAtNanos() - listedAtNanos > 0 ? w.placedAtNanos() : listedAtNanos;
      Optional<HolderWatch.Verdict> verdict = HolderWatch.renewal(since, now - from, suspectAfter);
      if (verdict.isEmpty()) continue;
      watched.remove(w.group());
      w.decider().tell(new Suspected(w.group(), w.holder(), since));
    }
    return Behaviors.same();
  }
}
