package io.vipkeeper.holder;

import io.vipkeeper.config.NotifySettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import java.util.Locale;

/**
 * Runs the operator's notify commands (as keepalived's notify scripts) on claim, release and
 * fault: arguments {@code EVENT GROUP EPOCH REASON ADDRESSES}, the same as VIPKEEPER_* variables.
 * It runs on its own thread, so a slow or hanging hook never delays a claim or a release; a hook
 * that outlives {@code timeout} is killed, and every failure is logged.
 */
public final class NotifyHooks {

  /** What happened, as the hooks are named in config (vipkeeper.notify.claim, .release, .fault). */
  public enum Kind {
    CLAIM, RELEASE, FAULT;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What happened; the interface actor tells this and never waits. */
  public record Event(Kind event, String group, long epoch, String reason, List<String> addresses) {}

  public static Behavior<Event> create(NotifySettings commands) {
    return Behaviors.setup(context -> Behaviors.receiveMessage(event -> {
      run(context, commands, event);
      return Behaviors.same();
    }));
  }

  private static void run(ActorContext<Event> context, NotifySettings commands, Event event) {
    String command = commands.byEvent().getOrDefault(event.event().label(), "");
    if (command.isBlank()) return;
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", command + " \"$@\"", "vipkeeper-notify",
        event.event().label(), event.group(), Long.toString(event.epoch()), event.reason(), String.join(",", event.addresses())));
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    ChildEnvironment.clean(builder.environment());
    builder.environment().putAll(Map.of("VIPKEEPER_EVENT", event.event().label(), "VIPKEEPER_GROUP", event.group(),
        "VIPKEEPER_EPOCH", Long.toString(event.epoch()), "VIPKEEPER_REASON", event.reason(),
        "VIPKEEPER_ADDRESSES", String.join(",", event.addresses())));
    builder.directory(Path.of(".").toFile());
    try {
      Process process = builder.start();
      if (!process.waitFor(commands.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        context.getLog().warn("notify hook for {} {} did not finish in {} ms and was killed: {}", event.event().label(), event.group(),
            commands.timeout().toMillis(), command);
      } else if (process.exitValue() != 0) {
        context.getLog().warn("notify hook for {} {} exited with {}: {}", event.event().label(), event.group(), process.exitValue(), command);
      }
    } catch (IOException e) {
      context.getLog().warn("notify hook for {} {} could not start ({}): {}", event.event().label(), event.group(), e.getMessage(), command);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private NotifyHooks() {}
}
