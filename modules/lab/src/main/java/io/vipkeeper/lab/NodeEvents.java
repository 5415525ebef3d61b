package io.vipkeeper.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's structured events ({@code <data-dir>/events.jsonl}, one flat JSON object a line, written
 * by the node): what the lab reads instead of parsing log text.
 */
public final class NodeEvents {

  /** One event's fields; numbers as text. */
  public record Event(Map<String, String> fields) {
    public String get(String key) {
      return fields.getOrDefault(key, "");
    }

    public long number(String key) {
      return Long.parseLong(fields.getOrDefault(key, "0"));
    }

    public boolean isTakeover(String path) {
      return get("event").equals("takeover") && get("path").equals(path);
    }
  }

  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?\\d+))");

  private NodeEvents() {}

  /** The events in {@code file}, oldest first; none when it does not exist yet. */
  public static List<Event> read(Path file) {
    if (!Files.exists(file)) return List.of();
    try {
      List<Event> events = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        Map<String, String> fields = new HashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) fields.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
        if (!fields.isEmpty()) events.add(new Event(Map.copyOf(fields)));
      }
      return events;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
