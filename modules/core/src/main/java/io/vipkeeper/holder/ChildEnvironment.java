package io.vipkeeper.holder;

import java.util.Map;
import java.util.Set;

/**
 * The environment of the commands vipkeeper starts (notify hooks, health checks): the node's own,
 * without its secrets. A hook is the operator's script, but it need not be able to change the
 * cluster or read the node's key store.
 */
final class ChildEnvironment {

  /** The API token and the key store's password (and where it is): never handed on. */
  static final Set<String> SECRETS = Set.of("VIPKEEPER_HTTP_TOKEN", "VIPKEEPER_TLS_PASSWORD", "VIPKEEPER_TLS_KEYSTORE");

  private ChildEnvironment() {}

  /** Removes the secrets from a {@link ProcessBuilder#environment()}. */
  static void clean(Map<String, String> environment) {
    SECRETS.forEach(environment::remove);
  }
}
