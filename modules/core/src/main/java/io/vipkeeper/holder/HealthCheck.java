package io.vipkeeper.holder;

import io.vipkeeper.config.CheckSettings;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The operator's check command (as keepalived's track_script): run every {@code interval} on its
 * own thread; {@code fall} failures in a row make this node unhealthy, {@code rise} successes in a
 * row healthy again. Only the changes are told to the interface actor.
 */
public final class HealthCheck {

  /** What the check tells the interface actor. */
  public record Verdict(boolean healthy, String why) {}

  private enum Tick { INSTANCE }

  public static Behavior<Object> create(CheckSettings check, ActorRef<Verdict> listener) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, check.interval());
      return counting(check, listener, true, 0);
    });
  }

  /** @param streak successes (positive) or failures (negative) in a row */
  private static Behavior<Object> counting(CheckSettings check, ActorRef<Verdict> listener, boolean healthy, int streak) {
    return Behaviors.receive(Object.class).onMessageEquals(Tick.INSTANCE, () -> {
      String failure = run(check);
      int next = failure.isEmpty() ? Math.max(streak, 0) + 1 : Math.min(streak, 0) - 1;
      if (healthy && next <= -check.fall()) {
        listener.tell(new Verdict(false, "check failed " + check.fall() + " times in a row: " + failure));
        return counting(check, listener, false, next);
      }
      if (!healthy && next >= check.rise()) {
        listener.tell(new Verdict(true, "check passed " + check.rise() + " times in a row"));
        return counting(check, listener, true, next);
      }
      return counting(check, listener, healthy, next);
    }).build();
  }

  /** Runs the command once; returns "" on success, else what went wrong. */
  private static String run(CheckSettings check) {
    try {
      ProcessBuilder builder = new ProcessBuilder(List.of("/bin/sh", "-c", check.command())).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      ChildEnvironment.clean(builder.environment());
      Process p = builder.start();
      if (!p.waitFor(check.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return "'" + check.command() + "' timed out after " + check.timeout().toMillis() + " ms";
      }
      return p.exitValue() == 0 ? "" : "'" + check.command() + "' exited with " + p.exitValue();
    } catch (IOException e) {
      return "'" + check.command() + "' could not start: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private HealthCheck() {}
}
