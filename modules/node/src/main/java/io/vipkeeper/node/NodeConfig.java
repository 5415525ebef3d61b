package io.vipkeeper.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vipkeeper.config.SettingsException;
import io.vipkeeper.config.UnknownSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.io.IOException;

/**
 * Builds the node's config from, highest first: environment variables, the user's file, the
 * shipped cluster profile ({@code vipkeeper-cluster.conf}), and the libraries' reference.conf.
 */
public final class NodeConfig {

  public static final String SYSTEM_NAME = "vipkeeper";

  private NodeConfig() {}

  public static Config load(Optional<Path> file, Map<String, String> env) {
    Config user = ConfigFactory.empty();
    if (file.isPresent()) {
      if (!Files.isReadable(file.get())) {
        throw new SettingsException(List.of("--config " + file.get() + ": no such readable file"));
      }
      user = ConfigFactory.parseFile(file.get().toFile());
    }
    List<String> unknown = UnknownSettings.problems(ConfigFactory.systemProperties().withFallback(user), ConfigFactory.defaultReference());
    if (!unknown.isEmpty()) throw new SettingsException(unknown);
    // -D settings first (the Typesafe Config convention), then the environment, then the file.
    Config unresolved = ConfigFactory.systemProperties()
        .withFallback(fromEnvironment(env))
        .withFallback(user)
        .withFallback(ConfigFactory.parseResources("vipkeeper-node.conf"))
        .withFallback(ConfigFactory.parseResources("vipkeeper-cluster.conf"))
        .withFallback(ConfigFactory.defaultReference());
    // Values derived from others go in before resolving, so the settings built from them follow:
    // the journal URL from data-dir (absolute first: H2 refuses relative paths), the Artery key
    // store from the TLS directory and the node's name.
    String dataDir = dataDir(unresolved.getString("vipkeeper.data-dir"));
    Map<String, Object> derived = new HashMap<>(Map.of("vipkeeper.data-dir", dataDir,
        "vipkeeper.catalog.replicator.durable.file.dir", Path.of(dataDir).resolve("catalog").toString()));
    tlsKeyStore(env, unresolved).ifPresent(store -> derived.put("vipkeeper.tls.key-store", store));
    Config merged = ConfigFactory.parseMap(derived).withFallback(unresolved).resolve();
    if (merged.getBoolean("vipkeeper.tls.insecure")) {
      merged = ConfigFactory.parseMap(Map.of("pekko.remote.artery.transport", "tcp")).withFallback(merged);
    }
    checkSeeds(merged);
    return joinRetry(merged);
  }

  /**
   * A node other than the first seed retries its join every vipkeeper.join-retry (its seed-node
   * timeout): three nodes started together lost 5 s when the first answer was a seed's "not a
   * member yet". The first seed keeps Pekko's timeout, which is how long it waits before forming a
   * cluster alone.
   */
  static Config joinRetry(Config config) {
    java.time.Duration retry = config.getDuration("vipkeeper.join-retry");
    List<String> seeds = config.getStringList("pekko.cluster.seed-nodes");
    String self = "pekko://" + SYSTEM_NAME + "@" + config.getString("pekko.remote.artery.canonical.hostname") + ":"
        + config.getInt("pekko.remote.artery.canonical.port");
    if (retry.isZero() || seeds.isEmpty() || seeds.get(0).equals(self)) return config;
    return ConfigFactory.parseMap(Map.of("pekko.cluster.seed-node-timeout", retry.toMillis() + "ms")).withFallback(config);
  }

  /** With VIPKEEPER_TLS_DIR and no VIPKEEPER_TLS_KEYSTORE: the node's own store there, by node name (or host). */
  private static Optional<String> tlsKeyStore(Map<String, String> env, Config unresolved) {
    Optional<String> dir = text(env, "VIPKEEPER_TLS_DIR");
    if (dir.isEmpty() || text(env, "VIPKEEPER_TLS_KEYSTORE").isPresent()) return Optional.empty();
    String name = unresolved.getString("vipkeeper.node-name");
    if (name.isBlank()) name = unresolved.getString("pekko.remote.artery.canonical.hostname");
    return Optional.of(Path.of(dir.get()).resolve(name + ".p12").toString());
  }

  /** The VIPKEEPER_* variables as config; each malformed one is named with what to write. */
  static Config fromEnvironment(Map<String, String> env) {
    Map<String, Object> values = new HashMap<>();
    List<String> problems = new ArrayList<>();
    text(env, "VIPKEEPER_NODE_HOST").ifPresent(h -> values.put("pekko.remote.artery.canonical.hostname", h));
    text(env, "VIPKEEPER_NODE_PORT").ifPresent(p -> {
      try {
        values.put("pekko.remote.artery.canonical.port", port(p));
      } catch (IllegalArgumentException e) {
        problems.add("VIPKEEPER_NODE_PORT: " + e.getMessage());
      }
    });
    text(env, "VIPKEEPER_SEED_NODES").ifPresent(s -> {
      try {
        values.put("pekko.cluster.seed-nodes", seeds(s));
      } catch (IllegalArgumentException e) {
        problems.add("VIPKEEPER_SEED_NODES: " + e.getMessage());
      }
    });
    text(env, "VIPKEEPER_MIN_MEMBERS").ifPresent(m -> {
      try {
        int min = Integer.parseInt(m);
        if (min < 1) throw new NumberFormatException();
        values.put("pekko.cluster.min-nr-of-members", min);
      } catch (NumberFormatException e) {
        problems.add("VIPKEEPER_MIN_MEMBERS: '" + m + "' is not a whole number of members (1 or more)");
      }
    });
    text(env, "VIPKEEPER_HTTP").ifPresent(h -> {
      int colon = h.lastIndexOf(':');
      try {
        if (colon <= 0) throw new IllegalArgumentException("'" + h + "' is not host:port, e.g. 127.0.0.1:8558");
        values.put("vipkeeper.http.port", port(h.substring(colon + 1)));
        values.put("vipkeeper.http.host", h.substring(0, colon));
      } catch (IllegalArgumentException e) {
        problems.add("VIPKEEPER_HTTP: " + e.getMessage());
      }
    });
    text(env, "VIPKEEPER_NODE_NAME").ifPresent(n -> values.put("vipkeeper.node-name", n));
    text(env, "VIPKEEPER_INTERFACE").ifPresent(i -> values.put("vipkeeper.interface", i));
    text(env, "VIPKEEPER_ROLE").ifPresent(r -> values.put("vipkeeper.role", r));
    text(env, "VIPKEEPER_CHECK").ifPresent(c -> values.put("vipkeeper.health.check.command", c));
    text(env, "VIPKEEPER_TIMING").ifPresent(t -> values.put("vipkeeper.timing-profile", t));
    text(env, "VIPKEEPER_NOTIFY").ifPresent(n -> {
      values.put("vipkeeper.notify.claim", n);
      values.put("vipkeeper.notify.release", n);
      values.put("vipkeeper.notify.fault", n);
    });
    text(env, "VIPKEEPER_HTTP_TOKEN").ifPresent(t -> values.put("vipkeeper.http.token", t));
    text(env, "VIPKEEPER_HTTPS").ifPresent(h -> values.put("vipkeeper.http.https", h.equals("on") || h.equals("true")));
    text(env, "VIPKEEPER_DATA_DIR").ifPresent(d -> values.put("vipkeeper.data-dir", d));
    tls(env, values, problems);
    text(env, "VIPKEEPER_VIPS").ifPresent(v -> values.put("vipkeeper.groups", Map.of("vip", envGroup(v, env, problems))));
    if (!problems.isEmpty()) throw new SettingsException(problems);
    Config config = ConfigFactory.empty();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      config = config.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
    }
    return config;
  }

  /** VIPKEEPER_TLS_DIR (from bin/vipkeeper certs), or the files one by one; VIPKEEPER_INSECURE=on for plain TCP. */
  private static void tls(Map<String, String> env, Map<String, Object> values, List<String> problems) {
    text(env, "VIPKEEPER_TLS_DIR").ifPresent(d -> {
      Path dir = Path.of(d);
      values.put("vipkeeper.tls.trust-store", dir.resolve("trust.p12").toString());
      try {
        values.put("vipkeeper.tls.password", Files.readString(dir.resolve("password")).trim());
      } catch (IOException e) {
        problems.add("VIPKEEPER_TLS_DIR: cannot read " + dir.resolve("password") + " (" + e.getMessage() + "); make it with bin/vipkeeper certs");
      }
    });
    text(env, "VIPKEEPER_TLS_KEYSTORE").ifPresent(k -> values.put("vipkeeper.tls.key-store", k));
    text(env, "VIPKEEPER_TLS_TRUSTSTORE").ifPresent(t -> values.put("vipkeeper.tls.trust-store", t));
    text(env, "VIPKEEPER_TLS_PASSWORD").ifPresent(p -> values.put("vipkeeper.tls.password", p));
    text(env, "VIPKEEPER_INSECURE").ifPresent(i -> values.put("vipkeeper.tls.insecure", i.equals("on") || i.equals("true")));
  }

  /**
   * The environment's one group: VIPKEEPER_VIPS, with VIPKEEPER_MODE / _VRID / _VMAC for vmac mode
   * and VIPKEEPER_PREFER (node names, best first) / _PREEMPT (off, on, or a delay such as 10s).
   */
  private static Map<String, Object> envGroup(String vips, Map<String, String> env, List<String> problems) {
    Map<String, Object> group = new HashMap<>(Map.of("addresses", List.of(vips.split("\\s*,\\s*"))));
    text(env, "VIPKEEPER_MODE").ifPresent(m -> group.put("mode", m));
    text(env, "VIPKEEPER_VMAC").ifPresent(m -> group.put("mac", m));
    text(env, "VIPKEEPER_VRID").ifPresent(r -> {
      try {
        group.put("virtual-router-id", Integer.parseInt(r));
      } catch (NumberFormatException e) {
        problems.add("VIPKEEPER_VRID: '" + r + "' is not a number 1..255");
      }
    });
    Map<String, Object> placement = new HashMap<>();
    text(env, "VIPKEEPER_PREFER").ifPresent(p -> placement.put("prefer", List.of(p.split("\\s*,\\s*"))));
    text(env, "VIPKEEPER_PREEMPT").ifPresent(p -> {
      switch (p) {
        case "off" -> placement.put("preempt", false);
        case "on" -> placement.put("preempt", true);
        default -> {
          placement.put("preempt", true);
          placement.put("preempt-delay", p);
        }
      }
    });
    if (!placement.isEmpty()) group.put("placement", placement);
    return group;
  }

  static List<String> seeds(String commaList) {
    List<String> seeds = new ArrayList<>();
    for (String part : commaList.split(",")) {
      String hostPort = part.trim();
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("'" + hostPort + "' is not host:port, e.g. 198.18.0.11:25520");
      seeds.add("pekko://" + SYSTEM_NAME + "@" + hostPort.substring(0, colon) + ":" + port(hostPort.substring(colon + 1)));
    }
    return seeds;
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text.trim());
      if (port >= 1 && port <= 65535) return port;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("'" + text + "' is not a port (1-65535)");
  }

  private static String dataDir(String configured) {
    Path dir = Path.of(configured).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException | SecurityException e) {
      throw new SettingsException(List.of("vipkeeper.data-dir: cannot create " + dir + " (" + e.getMessage()
          + "); set VIPKEEPER_DATA_DIR to a writable directory"));
    }
    if (!Files.isWritable(dir)) {
      throw new SettingsException(List.of("vipkeeper.data-dir: " + dir + " is not writable; set VIPKEEPER_DATA_DIR to a writable directory"));
    }
    return dir.toString();
  }

  private static void checkSeeds(Config config) {
    if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      throw new SettingsException(List.of("no seed nodes: set VIPKEEPER_SEED_NODES=host:port[,host:port]"
          + " or pekko.cluster.seed-nodes (a single node lists itself)"));
    }
  }

  private static Optional<String> text(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
  }
}
