package io.vipkeeper.membership;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Watches whether this node's side of the cluster would survive a split. When it has not for
 * {@code release-after}, it tells the interface actor to release, without waiting for the Split
 * Brain Resolver or the singleton: the bound that keeps a cut-off holder from answering beside the
 * new one (see SafetyTiming).
 */
public final class QuorumWatch {

  public sealed interface Command {}

  private record Changed(Object event) implements Command {}

  private enum Deadline implements Command { INSTANCE }

  /**
   * The cluster's state view lags its events by a little: after each event, look again at a short
   * pace for a while; an idle cluster has no events, so no ticks.
   */
  private enum Tick implements Command { INSTANCE }

  private static final Duration TICK = Duration.ofMillis(50);

  /** Ticks after an event (1 s): far beyond the view's lag. */
  private static final int TICKS_AFTER_EVENT = 20;

  /** What the watch tells the interface actor. */
  public record Verdict(boolean survives, String why) {}

  public static Behavior<Command> create(Quorum quorum, Duration releaseAfter, ActorRef<Verdict> listener) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Cluster cluster = Cluster.get(context.getSystem());
      cluster.subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.ReachabilityEvent.class, Changed::new), ClusterEvent.ReachabilityEvent.class));
      cluster.subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.MemberEvent.class, Changed::new), ClusterEvent.MemberEvent.class));
      return new QuorumWatch(context, timers, quorum, releaseAfter, listener).watching(true);
    }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Quorum quorum;
  private final Duration releaseAfter;
  private final ActorRef<Verdict> listener;
  private final Members members;
  private int ticksLeft;

  private QuorumWatch(ActorContext<Command> context, TimerScheduler<Command> timers, Quorum quorum,
      Duration releaseAfter, ActorRef<Verdict> listener) {
    this.context = context;
    this.timers = timers;
    this.quorum = quorum;
    this.releaseAfter = releaseAfter;
    this.listener = listener;
    this.members = new Members(context.getSystem());
  }

  /** @param survived what the interface actor was last told */
  private Behavior<Command> watching(boolean survived) {
    return Behaviors.receive(Command.class)
        .onMessage(Changed.class, c -> {
          ticksLeft = TICKS_AFTER_EVENT;
          if (!timers.isTimerActive(Tick.INSTANCE)) timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
          return onChange(survived);
        })
        .onMessage(Tick.class, t -> {
          if (--ticksLeft <= 0) timers.cancel(Tick.INSTANCE);
          return onChange(survived);
        })
        .onMessage(Deadline.class, d -> onDeadline(survived))
        .build();
  }

  private Behavior<Command> onChange(boolean survived) {
    boolean survives = survivesNow();
    if (survives && !survived) {
      timers.cancel(Deadline.INSTANCE);
      listener.tell(new Verdict(true, describe()));
      return watching(true);
    }
    if (survives) timers.cancel(Deadline.INSTANCE);
    else if (survived && !timers.isTimerActive(Deadline.INSTANCE)) timers.startSingleTimer(Deadline.INSTANCE, releaseAfter);
    return Behaviors.same();
  }

  private Behavior<Command> onDeadline(boolean survived) {
    if (!survived || survivesNow()) return Behaviors.same();
    context.getLog().warn("this node's side would not survive a split ({}) for {} ms: releasing", describe(), releaseAfter.toMillis());
    listener.tell(new Verdict(false, describe()));
    return watching(false);
  }

  /** Before this node has joined there is nothing to decide (and nothing can be held). */
  private boolean survivesNow() {
    return members.voters().isEmpty() || members.reachableSideSurvives(quorum);
  }

  private String describe() {
    return "reaches " + members.reachableVoters().size() + " of " + members.voters().size() + " members";
  }
}
