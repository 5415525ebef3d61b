package io.vipkeeper.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.vipkeeper.model.VipGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A VIP group as JSON (the management API's body, the catalog's stored entry), checked field by
 * field on the parsed tree and handed to the group parser as plain values: never parsed as HOCON
 * text (no includes, no substitutions, no recursion on untrusted depth). Depth and size are capped
 * while parsing.
 */
public final class GroupDefinition {

  /** Nesting a group needs is 3 (object, placement, prefer); anything deeper is refused while parsing. */
  private static final int MAX_DEPTH = 8;
  private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxStringLength(64 * 1024).build())
      .build()).build();
  private static final Set<String> FIELDS = Set.of("addresses", "mode", "virtual-router-id", "mac", "placement");
  private static final Set<String> PLACEMENT = Set.of("prefer", "preempt", "preempt-delay");

  private GroupDefinition() {}

  /** A JSON object from text; {@link Invalid} names what is wrong. */
  public static ObjectNode object(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new Invalid("the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (!(node instanceof ObjectNode object)) throw new Invalid("the body must be a JSON object");
    return object;
  }

  /** The group {@code name} defined by {@code definition} (without its name). */
  public static VipGroup parse(String name, ObjectNode definition) {
    Map<String, Object> values = new LinkedHashMap<>();
    definition.fields().forEachRemaining(f -> values.put(f.getKey(), value(f.getKey(), f.getValue())));
    if (!values.containsKey("addresses")) throw new Invalid("\"addresses\" (a list of address/prefix strings) is missing");
    try {
      return VipKeeperSettings.parseGroup(name, ConfigFactory.parseMap(values));
    } catch (SettingsException e) {
      throw new Invalid(String.join("; ", e.problems()));
    }
  }

  /** Parses {@code json} and {@link #parse(String, ObjectNode)}s it. */
  public static VipGroup parse(String name, String json) {
    return parse(name, object(json));
  }

  private static Object value(String field, JsonNode node) {
    return switch (field) {
      case "addresses" -> strings(field, node, VipGroup.MAX_ADDRESSES);
      case "mode", "mac" -> text(field, node);
      case "virtual-router-id" -> {
        if (!node.canConvertToInt()) throw new Invalid("\"virtual-router-id\" must be a whole number (1-255)");
        yield node.intValue();
      }
      case "placement" -> placement(node);
      default -> throw new Invalid("unknown field \"" + io.vipkeeper.LogSafe.of(field) + "\"; a group has " + FIELDS + " (and \"name\")");
    };
  }

  private static Map<String, Object> placement(JsonNode node) {
    if (!node.isObject()) throw new Invalid("\"placement\" must be an object with " + PLACEMENT);
    Map<String, Object> values = new LinkedHashMap<>();
    node.fields().forEachRemaining(f -> values.put(f.getKey(), switch (f.getKey()) {
      case "prefer" -> strings("placement.prefer", f.getValue(), 64);
      case "preempt" -> {
        if (!f.getValue().isBoolean()) throw new Invalid("\"placement.preempt\" must be true or false");
        yield f.getValue().booleanValue();
      }
      case "preempt-delay" -> text("placement.preempt-delay", f.getValue());
      default -> throw new Invalid("unknown field \"placement." + io.vipkeeper.LogSafe.of(f.getKey()) + "\"; placement has " + PLACEMENT);
    }));
    return values;
  }

  private static List<String> strings(String field, JsonNode node, int max) {
    if (!node.isArray() || node.size() == 0) throw new Invalid("\"" + field + "\" must be a non-empty list of strings");
    if (node.size() > max) throw new Invalid("\"" + field + "\" has " + node.size() + " entries; at most " + max);
    List<String> out = new ArrayList<>();
    node.forEach(e -> out.add(text(field, e)));
    return out;
  }

  private static String text(String field, JsonNode node) {
    if (!node.isTextual()) throw new Invalid("\"" + field + "\" must be a string, not " + node.getNodeType().toString().toLowerCase());
    if (node.asText().length() > 256) throw new Invalid("\"" + field + "\" is longer than 256 characters");
    return node.asText();
  }

  /** A definition that cannot be used; the message says what to fix. */
  public static final class Invalid extends IllegalArgumentException {
    public Invalid(String message) {
      super(message);
    }
  }
}
