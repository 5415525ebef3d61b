package io.vipkeeper.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipkeeper.VipEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Every {@link VipEvent} of this node as one JSON line in {@code <data-dir>/events.jsonl}: takeovers
 * with their path and phases, refused address changes. Tools (and the lab) read structured events
 * instead of parsing log text. Kept small: past 10 MB the file is rotated once to {@code .1}.
 */
final class EventFile {

  private static final long ROTATE_BYTES = 10L * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventFile() {}

  static void start(ActorSystem<?> system, Path dataDir) {
    Path file = dataDir.resolve("events.jsonl");
    ActorRef<VipEvent> writer = system.systemActorOf(writer(system, file), "vipkeeper-event-file", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(VipEvent.class, writer));
  }

  private static Behavior<VipEvent> writer(ActorSystem<?> system, Path file) {
    return Behaviors.receiveMessage(event -> {
      try {
        if (Files.exists(file) && Files.size(file) > ROTATE_BYTES) {
          Files.move(file, file.resolveSibling("events.jsonl.1"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(file, JSON.writeValueAsString(line(event)) + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        system.log().warn("cannot append to {}: {}", file, e.getMessage());
      }
      return Behaviors.same();
    });
  }

  static Map<String, Object> line(VipEvent event) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (event instanceof VipEvent.Takeover t) {
      m.put("event", "takeover");
      m.put("group", t.group());
      m.put("path", t.path().label());
      m.put("from", t.from());
      m.put("to", t.to());
      m.put("epoch", t.epoch());
      m.put("at", t.atEpochMillis());
      m.put("detectionMs", t.detectionMillis());
      m.put("promiseMs", t.promiseMillis());
      m.put("leaseWaitMs", t.leaseWaitMillis());
      m.put("releaseMs", t.releaseMillis());
      m.put("claimMs", t.claimMillis());
      m.put("totalMs", t.totalMillis());
    } else if (event instanceof VipEvent.NicFailure f) {
      m.put("event", "nic-failure");
      m.put("group", f.group());
      m.put("action", f.action().name().toLowerCase(Locale.ROOT));
      m.put("error", f.error());
    }
    return m;
  }
}
