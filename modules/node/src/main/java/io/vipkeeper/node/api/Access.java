package io.vipkeeper.node.api;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.net.UnknownHostException;

/**
 * Who may use the changing calls (POST, DELETE): with a token configured, only requests with
 * {@code Authorization: Bearer <token>}; without one, only a server bound to loopback unless
 * {@code require-token} says otherwise.
 */
public record Access(String token, boolean required) {

  /** From {@code vipkeeper.http}: require-token = auto | on | off, the token, and the bind host. */
  public static Access of(String requireToken, String token, String host) {
    boolean required = switch (requireToken) {
      case "on" -> true;
      case "off" -> false;
      case "auto" -> !token.isEmpty() || !loopback(host);
      default -> throw new IllegalArgumentException(
          "vipkeeper.http.require-token: '" + requireToken + "' is not one of auto, on, off");
    };
    return new Access(token, required);
  }

  /** Empty when allowed; otherwise the refusal (401 without or with a wrong token, 403 when none is configured). */
  public Optional<Reply> check(Optional<String> authorization) {
    if (!required) return Optional.empty();
    if (token.isEmpty()) {
      return Optional.of(Reply.error(403, "changing calls need a token on a management address outside loopback:"
          + " set vipkeeper.http.token (env VIPKEEPER_HTTP_TOKEN) and send 'Authorization: Bearer <token>'"));
    }
    String expected = "Bearer " + token;
    String given = authorization.orElse("");
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(Reply.error(401, given.isEmpty() ? "this call needs 'Authorization: Bearer <token>'"
          : "the token is wrong"));
    }
    return Optional.empty();
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
