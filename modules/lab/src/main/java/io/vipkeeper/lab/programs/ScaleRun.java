package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.FailoverLab;
import io.vipkeeper.lab.Lab;
import io.vipkeeper.lab.LabAddresses;
import io.vipkeeper.lab.Nodes;
import io.vipkeeper.lab.Watch;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One run of the scale benchmark on a running lab: wait until every address is held once and the
 * placement has settled, prime the client's neighbour table, kill -9 the node holding the most
 * (not the deciders' node) with its link down, and account for every address it held: when the
 * new node's kernel held it and the client's entry pointed there, or why not.
 */
final class ScaleRun {

  /** One run's outcome; {@code missing} counts the addresses not moved, by reason. */
  record Outcome(String keeper, Map<Integer, Integer> groupsBefore, int victim, int moved, double[] millis,
      Map<String, Integer> missing, int clientKnew, Map<Integer, Integer> groupsAfter, int doubleHeldAfter,
      int frames, double burstMillis) {}

  private static final Duration SETTLE = Duration.ofSeconds(90);

  private final Lab lab;
  private final Nodes nodes;
  private final List<ScaleLayout.Group> groups;
  private final List<String> all;

  ScaleRun(Lab lab, Nodes nodes, List<ScaleLayout.Group> groups) {
    this.lab = lab;
    this.nodes = nodes;
    this.groups = groups;
    this.all = groups.stream().flatMap(g -> g.addresses().stream()).toList();
  }

  Outcome run() throws Exception {
    for (int i = 1; i <= 3; i++) nodes.start(i);
    if (!FailoverLab.await(Duration.ofSeconds(240), () -> heldOnce(holders(Set.of())))) {
      throw new IllegalStateException(nodes.label() + ": not every address held by exactly one node: " + holders(Set.of()));
    }
    // Settled: the same holders for 5 s in a row (past bursts, preemption and rebalancing), at most SETTLE.
    settle();
    Map<String, Integer> before = holders(Set.of());
    int clientKnew = prime();
    int victim = victim(before);
    Set<String> moved = new HashSet<>();
    before.forEach((a, n) -> { if (n == victim) moved.add(a); });
    List<Watch> watches = new ArrayList<>();
    for (int i = 1; i <= 3; i++) if (i != victim) watches.add(Watch.start(lab, "n" + i, "address", ""));
    watches.add(Watch.start(lab, "c1", "neigh", "lladdr"));
    FrameCapture capture = FrameCapture.start(lab, "c1");
    Thread.sleep(500);
    long fault = System.nanoTime();
    nodes.crash(victim);
    lab.link("n" + victim, false);
    FailoverLab.await(Duration.ofSeconds(30), () -> Arrivals.of(watches, moved, victim, fault).times().size() == moved.size());
    Thread.sleep(3000);
    Arrivals arrivals = Arrivals.of(watches, moved, victim, fault);
    Map<String, Integer> after = holders(Set.of(victim));
    FrameCapture.Burst burst = capture.stop(fault, survivorMacs(victim));
    watches.forEach(Watch::close);
    double[] millis = arrivals.times().values().stream().mapToDouble(t -> (t - fault) / 1e6).sorted().toArray();
    int doubleHeld = (int) after.values().stream().filter(n -> n == -1).count();
    return new Outcome(nodes.label(), groupCounts(before), victim, moved.size(), millis, arrivals.missing(moved, after),
        clientKnew, groupCounts(after), doubleHeld, burst.frames(), burst.millis());
  }

  private void settle() throws InterruptedException {
    long end = System.nanoTime() + SETTLE.toNanos();
    Map<String, Integer> last = holders(Set.of());
    long sameSince = System.nanoTime();
    while (System.nanoTime() < end && System.nanoTime() - sameSince < 5_000_000_000L) {
      Thread.sleep(500);
      Map<String, Integer> now = holders(Set.of());
      if (!now.equals(last)) {
        last = now;
        sameSince = System.nanoTime();
      }
    }
  }

  /** The node holding the most addresses, but not the vipkeeper deciders' node when another holds as many. */
  private int victim(Map<String, Integer> holders) {
    Map<Integer, Integer> counts = new HashMap<>();
    holders.values().forEach(n -> counts.merge(n, 1, Integer::sum));
    int decider = -1;
    for (int i = 1; i <= 3; i++) if (nodes.log(i).contains("DECIDER group=")) decider = i;
    int best = -1;
    for (int i = 1; i <= 3; i++) {
      if (i == decider && counts.size() > 1) continue;
      if (best < 0 || counts.getOrDefault(i, 0) > counts.getOrDefault(best, 0)) best = i;
    }
    return best;
  }

  /**
   * The client sends one datagram to every VIP, twice; returns how many of them then have a
   * complete entry in its neighbour table (every one, unless the table's limits dropped some).
   */
  private int prime() throws Exception {
    lab.inside("c1", () -> {
      try (DatagramSocket socket = new DatagramSocket()) {
        byte[] ping = "prime".getBytes(StandardCharsets.US_ASCII);
        for (int round = 0; round < 2; round++) {
          for (String a : all) socket.send(new DatagramPacket(ping, ping.length, InetAddress.getByName(a), 5051));
          Thread.sleep(1500);
        }
      }
      return null;
    });
    Set<String> wanted = new HashSet<>(all);
    String table = lab.exec("c1", "ip", "neigh", "show", "dev", "eth0") + lab.exec("c1", "ip", "-6", "neigh", "show", "dev", "eth0");
    return (int) table.lines().filter(l -> l.contains("lladdr")).map(l -> l.split("\\s+")[0]).filter(wanted::contains).distinct().count();
  }

  private boolean heldOnce(Map<String, Integer> holders) {
    return holders.size() == all.size() && !holders.containsValue(-1);
  }

  /** Address to the node whose kernel holds it (-1 when more than one does), not asking {@code skip}. */
  Map<String, Integer> holders(Set<Integer> skip) {
    Set<String> wanted = new HashSet<>(all);
    Map<String, Integer> holders = new HashMap<>();
    for (int i = 1; i <= 3; i++) {
      if (skip.contains(i)) continue;
      String out;
      try {
        out = lab.exec("n" + i, "ip", "-o", "addr", "show", "dev", "eth0");
      } catch (RuntimeException e) {
        continue;
      }
      for (String line : out.split("\n")) {
        String[] t = line.trim().split("\\s+");
        if (t.length < 4) continue;
        String a = t[3].replaceAll("/.*", "");
        final int node = i;
        if (wanted.contains(a)) holders.merge(a, node, (x, y) -> -1);
      }
    }
    return holders;
  }

  /** Groups per node (a group counts for the node holding its first address). */
  private Map<Integer, Integer> groupCounts(Map<String, Integer> holders) {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (ScaleLayout.Group g : groups) counts.merge(holders.getOrDefault(g.addresses().get(0), 0), 1, Integer::sum);
    return counts;
  }

  private static Set<String> survivorMacs(int victim) {
    Set<String> macs = new HashSet<>();
    for (int i = 1; i <= 3; i++) if (i != victim) macs.add(LabAddresses.nodeMac(i));
    return macs;
  }
}
