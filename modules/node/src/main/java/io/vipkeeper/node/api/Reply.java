package io.vipkeeper.node.api;

import java.util.Map;

/** An answer of the management API: its HTTP status and JSON body (a map, list or string). */
public record Reply(int status, Object body) {

  public static Reply ok(Object body) {
    return new Reply(200, body);
  }

  /** A refusal with a message that says what to fix; JSON {@code {"error": ..., "status": ...}}. */
  public static Reply error(int status, String message) {
    return new Reply(status, Map.of("error", message, "status", status));
  }

  public boolean failed() {
    return status >= 400;
  }
}
