package io.vipkeeper;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.util.Timeout;
import scala.reflect.ClassTag;
import scala.util.Try;

/**
 * {@code context.ask} without a thread per reply. The Java DSL's ask turns Pekko's Scala future into
 * a CompletionStage, whose plain callbacks Scala runs as their Async forms on the common pool; with
 * fewer than 3 cores that pool has one worker and the JDK starts a new thread for every reply (an
 * idle node started ~27 threads a second for its lease renewals). The Scala DSL's ask maps the
 * reply on the thread that completes it and hands it to the actor as a message, as the Java one means to.
 */
public final class Ask {

  private Ask() {}

  public static <T, Req, Res> void ask(ActorContext<T> context, Class<Res> resClass, RecipientRef<Req> target,
      Duration timeout, Function<ActorRef<Res>, Req> createRequest, BiFunction<Res, Throwable, T> applyToResponse) {
    context.asScala().<Req, Res>ask(target, createRequest::apply,
        (Try<Res> reply) -> reply.isSuccess()
            ? applyToResponse.apply(reply.get(), null)
            : applyToResponse.apply(null, reply.failed().get()),
        Timeout.create(timeout), ClassTag.apply(resClass));
  }
}
