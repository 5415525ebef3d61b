package io.vipkeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AskTest {

  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  record Echo(int n, ActorRef<Integer> replyTo) {}

  private static Behavior<Echo> echo() {
    return Behaviors.receiveMessage(e -> {
      if (e.n() >= 0) e.replyTo().tell(e.n());
      return Behaviors.same();
    });
  }

  /** Asks {@code n} of {@code target} and reports the answer, or the failure's class name, to {@code out}. */
  private static Behavior<String> asker(ActorRef<Echo> target, int n, ActorRef<String> out) {
    return Behaviors.setup(context -> {
      Ask.ask(context, Integer.class, target, Duration.ofMillis(300), replyTo -> new Echo(n, replyTo),
          (answer, failure) -> answer != null ? "answer " + answer : "failed " + failure.getClass().getSimpleName());
      return Behaviors.receiveMessage(m -> {
        out.tell(m);
        return Behaviors.stopped();
      });
    });
  }

  @Test
  void theAnswerAndATimeoutBothReachTheActorAsItsOwnMessage() {
    ActorRef<Echo> target = kit.spawn(echo());
    TestProbe<String> out = kit.createTestProbe();
    kit.spawn(asker(target, 7, out.getRef()));
    assertEquals("answer 7", out.receiveMessage());
    kit.spawn(asker(target, -1, out.getRef()));
    assertEquals("failed TimeoutException", out.receiveMessage(Duration.ofSeconds(3)));
  }

  @Test
  void aReplyStartsNoThread() {
    ActorRef<Echo> target = kit.spawn(echo());
    TestProbe<String> out = kit.createTestProbe();
    for (int i = 0; i < 20; i++) {
      kit.spawn(asker(target, i, out.getRef()));
      out.receiveMessage();
    }
    long before = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
    for (int i = 0; i < 200; i++) {
      kit.spawn(asker(target, i, out.getRef()));
      out.receiveMessage();
    }
    long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - before;
    // The Java DSL's ask started one per reply where the common pool has a single worker (2 cores).
    assertTrue(started < 20, "200 asks started " + started + " threads");
  }
}
