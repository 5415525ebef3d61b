package io.vipkeeper.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.OptionalLong;
import java.util.Map;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Comparator;

/** Real vipkeeper JVMs in the lab, configured only by environment variables (as in compose). */
public final class VipkeeperNodes extends JvmNodes {

  private final Lab lab;
  private final String label;
  private final Map<String, String> extraEnv;
  private final List<String> jvmOptions;
  private final Path logs;
  private final Map<Integer, Map<String, String>> nodeEnv = new HashMap<>();

  public VipkeeperNodes(Lab lab, int count, Path logs, String label, Map<String, String> extraEnv, List<String> jvmOptions) {
    this.lab = lab;
    this.label = label;
    this.extraEnv = Map.copyOf(extraEnv);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.logs = logs;
    for (int i = 1; i <= count; i++) {
      nodes.add(new NodeProcess("n" + i, logs.resolve(label.replace(' ', '-') + "-n" + i + ".log")));
      deleteTree(dataDir(i)); // a new lab starts with empty journals
    }
  }

  public VipkeeperNodes(Lab lab, int count, Path logs) {
    this(lab, count, logs, "vipkeeper", Map.of(), List.of());
  }

  /**
   * Every node is a seed: restarted nodes then find the running cluster through any live member
   * instead of forming a second cluster among themselves (Pekko's first-seed rule).
   */
  private String seeds() {
    List<String> seeds = new ArrayList<>();
    for (int i = 1; i <= nodes.size(); i++) seeds.add(LabAddresses.nodeIp(i) + ":25520");
    return String.join(",", seeds);
  }

  /** Node {@code i}'s journal directory. */
  public Path dataDir(int i) {
    return logs.resolve(label.replace(' ', '-') + "-n" + i + "-data").toAbsolutePath();
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new IllegalStateException("cannot clear " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String label() {
    return label;
  }

  @Override
  public void start(int i) throws Exception {
    start(i, nodeEnv.getOrDefault(i, Map.of()));
  }

  /** Node {@code i} always starts with {@code env} on top of the others' (e.g. VIPKEEPER_ROLE=witness). */
  public VipkeeperNodes withNodeEnv(int i, Map<String, String> env) {
    nodeEnv.put(i, Map.copyOf(env));
    return this;
  }

  /** Starts node {@code i} with {@code overrides} on top of its usual environment (e.g. another node's certificates). */
  public void start(int i, Map<String, String> overrides) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "VIPKEEPER_NODE_HOST", LabAddresses.nodeIp(i),
        "VIPKEEPER_NODE_NAME", "n" + i,
        "VIPKEEPER_SEED_NODES", seeds(),
        "VIPKEEPER_MIN_MEMBERS", String.valueOf(nodes.size() / 2 + 1),
        "VIPKEEPER_INTERFACE", "eth0",
        "VIPKEEPER_VIPS", LabAddresses.VIP + "/24",
        "VIPKEEPER_DATA_DIR", dataDir(i).toString(),
        "VIPKEEPER_HTTP", LabAddresses.nodeIp(i) + ":8558"));
    env.putAll(LabCerts.env(LabCerts.cluster()));
    env.putAll(extraEnv);
    env.putAll(overrides);
    env.values().removeIf(String::isEmpty);
    nodes.get(i - 1).start(lab.ns("n" + i), env, jvmOptions);
  }

  @Override
  public List<NodeEvents.Event> events(int i) {
    return NodeEvents.read(dataDir(i).resolve("events.jsonl"));
  }

  /**
   * Every running node was moved to Up by some leader since its latest start, has learned the
   * current epoch (a PROMISED line) since then or is an observer, and its ledger votes again (LEDGER
   * LISTED: a node that just joined is Up and caught up seconds before that, and until then the
   * others count without it), as the logs say: the cluster has settled.
   */
  @Override
  public boolean formed() {
    for (int i = 1; i <= nodes.size(); i++) {
      if (!alive(i)) continue;
      long since = nodes.get(i - 1).startedAtMillis();
      List<String> sinceStart = List.of(log(i).split("\n")).stream()
          .filter(l -> LogTime.millis(l).orElse(0) >= since - 1).toList();
      boolean observer = sinceStart.stream().anyMatch(l -> l.contains("OBSERVER: ")); // takes no part: settled as it is
      boolean seen = upAt(i).isPresent();
      boolean learned = observer || sinceStart.stream().anyMatch(l -> l.contains("PROMISED group=")
          || l.contains("LEDGER promised={") && !l.contains("promised={}"));
      boolean voting = observer || sinceStart.stream().anyMatch(l -> l.contains("LEDGER LISTED"));
      if (!seen || !learned || !voting || stopping(i)) return false;
    }
    return true;
  }

  /** When node {@code i} first logged a line containing {@code text} since its latest start (epoch ms). */
  public OptionalLong loggedAt(int i, String text) {
    long since = nodes.get(i - 1).startedAtMillis();
    return List.of(log(i).split("\n")).stream()
        .filter(l -> l.contains(text))
        .mapToLong(l -> LogTime.millis(l).orElse(0))
        .filter(t -> t >= since - 1)
        .min();
  }

  /**
   * Node {@code i}'s JVM runs but is on its way out (downed, or told to stop): its coordinated
   * shutdown began after its last start. A node cut off from the others can take seconds to exit.
   */
  public boolean stopping(int i) {
    long since = nodes.get(i - 1).startedAtMillis();
    return alive(i) && List.of(log(i).split("\n")).stream()
        .anyMatch(l -> l.contains("Running CoordinatedShutdown") && LogTime.millis(l).orElse(0) >= since - 1);
  }
}
