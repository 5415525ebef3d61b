package io.vipkeeper.holder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Asks the {@link WireWitness} of every node (through its interface actor) one question, hands each
 * answer to {@code onEach} as it comes (so a dead node's silence delays nobody), then the answers
 * that came within {@code wait} to a {@link Verdict}, and stops. Short-lived, one per
 * question; an answer later than the wait counts as none (a busy node says nothing).
 */
final class WitnessPoll {

  sealed interface Command {}

  private record Listed(Receptionist.Listing listing) implements Command {}

  private record Answer(Object answer) implements Command {}

  private enum Timeout implements Command { INSTANCE }

  /** What to do with the answers; {@code asked}: how many nodes were asked. */
  interface Verdict<A> {
    void on(ActorContext<?> context, List<A> answers, int asked);
  }

  /** {@code withSelf}: this node's own witness is asked too. */
  static <A> Behavior<Command> create(Class<A> type, Function<ActorRef<A>, WireWitness.Question> question, ActorRef<InterfaceActor.Command> self,
      boolean withSelf, Duration wait, Consumer<A> onEach, Verdict<A> verdict) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.find(InterfaceActor.KEY, context.messageAdapter(Receptionist.Listing.class, Listed::new)));
      ActorRef<A> replyTo = context.messageAdapter(type, Answer::new);
      return Behaviors.receive(Command.class)
          .onMessage(Listed.class, l -> {
            List<ActorRef<InterfaceActor.Command>> asked = l.listing().getServiceInstances(InterfaceActor.KEY).stream()
                .filter(r -> withSelf || !r.equals(self)).toList();
            asked.forEach(node -> node.tell(new InterfaceActor.AskWitness(question.apply(replyTo))));
            return asked.isEmpty() ? done(context, List.of(), 0, verdict) : collect(context, type, asked.size(), wait, onEach, verdict);
          })
          .build();
    });
  }

  private static <A> Behavior<Command> collect(ActorContext<Command> context, Class<A> type, int asked, Duration wait, Consumer<A> onEach,
      Verdict<A> verdict) {
    return Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Timeout.INSTANCE, wait);
      List<A> answers = new ArrayList<>();
      return Behaviors.receive(Command.class)
          .onMessage(Answer.class, a -> {
            A answer = type.cast(a.answer());
            onEach.accept(answer);
            answers.add(answer);
            return answers.size() < asked ? Behaviors.same() : done(context, answers, asked, verdict);
          })
          .onMessage(Timeout.class, t -> done(context, answers, asked, verdict))
          .build();
    });
  }

  private static <A> Behavior<Command> done(ActorContext<Command> context, List<A> answers, int asked, Verdict<A> verdict) {
    verdict.on(context, List.copyOf(answers), asked);
    return Behaviors.stopped();
  }
}
