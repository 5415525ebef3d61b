package io.vipkeeper.lab;

import io.vipkeeper.testing.Lab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A namespace lab with real vipkeeper JVMs on its nodes. Node i is {@code n<i>} at 198.18.0.(10+i);
 * n1 and n2 are seeds. Close kills every JVM and removes every namespace, also after a failure.
 */
final class LabCluster implements AutoCloseable {

  static final String VIP = "198.18.0.50";
  private final Lab lab;
  private final Path logs;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final Map<String, String> extraEnv = new HashMap<>();

  private LabCluster(Lab lab, Path logs) {
    this.lab = lab;
    this.logs = logs;
  }

  static LabCluster up(String prefix, int nodes, String testName) {
    Path logs = Path.of(System.getProperty("vipkeeper.lab.logs", "target/lab-logs"), testName);
    LabCluster cluster = new LabCluster(Lab.up(prefix, nodes, 1), logs);
    for (int i = 1; i <= nodes; i++) cluster.nodes.add(new NodeProcess("n" + i, logs.resolve("n" + i + ".log")));
    return cluster;
  }

  Lab lab() {
    return lab;
  }

  NodeProcess node(int i) {
    return nodes.get(i - 1);
  }

  void start(int i) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "VIPKEEPER_NODE_HOST", nodeIp(i),
        "VIPKEEPER_NODE_NAME", "n" + i,
        "VIPKEEPER_SEED_NODES", "198.18.0.11:25520,198.18.0.12:25520",
        "VIPKEEPER_INTERFACE", "eth0",
        "VIPKEEPER_VIPS", VIP + "/24"));
    env.putAll(extraEnv);
    node(i).start(lab.ns("n" + i), env);
  }

  void startAll() throws Exception {
    for (int i = 1; i <= nodes.size(); i++) start(i);
  }

  static String nodeIp(int i) {
    return "198.18.0." + (10 + i);
  }

  static String nodeMac(int i) {
    return String.format("02:18:00:00:00:%02x", 10 + i);
  }

  /** Nodes whose eth0 carries the VIP right now, as the kernel says. */
  List<String> holders() {
    List<String> holders = new ArrayList<>();
    for (int i = 1; i <= nodes.size(); i++) {
      if (lab.exec("n" + i, "ip", "-o", "addr", "show", "dev", "eth0").contains("inet " + VIP + "/")) holders.add("n" + i);
    }
    return holders;
  }

  /** Every node 1..n was moved to Up by some leader, as the nodes' logs say. */
  boolean allUp(int n) {
    StringBuilder logs = new StringBuilder();
    nodes.forEach(node -> logs.append(node.log()));
    for (int i = 1; i <= n; i++) {
      if (!logs.toString().contains("Leader is moving node [pekko://vipkeeper@" + nodeIp(i) + ":25520] to [Up]")) return false;
    }
    return true;
  }

  String clientNeighbour() {
    return lab.exec("c1", "ip", "neigh", "show", VIP, "dev", "eth0").trim();
  }

  /** Polls until {@code check} holds or the time is up; returns whether it held. */
  static boolean await(Duration limit, Supplier<Boolean> check) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      if (check.get()) return true;
      Thread.sleep(50);
    }
    return check.get();
  }

  /** Everything a failing test should print: holders, client view, each node's log tail. */
  String report() {
    StringBuilder out = new StringBuilder("holders=" + safeHolders() + "\n");
    for (NodeProcess node : nodes) {
      String log = node.log();
      String[] lines = log.split("\n");
      out.append("--- ").append(node.name()).append(" (alive=").append(node.alive()).append(") last lines:\n");
      for (int k = Math.max(0, lines.length - 25); k < lines.length; k++) out.append(lines[k]).append('\n');
    }
    return out.toString();
  }

  private String safeHolders() {
    try {
      return holders().toString();
    } catch (RuntimeException e) {
      return "(" + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws Exception {
    for (NodeProcess node : nodes) node.kill9();
    lab.close();
  }
}
