package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The scale benchmark (not a test): GROUPS groups of 10 addresses (2 IPv4 in the lab's /24, 8 IPv6
 * in its /64; 100 groups = 1,000 VIPs) on 3 nodes. It kills -9 the node holding a third of them
 * and measures, per moved address, the time from the fault until the new node's kernel holds it
 * and the client's neighbour entry points at the new node (the client's next packet then reaches
 * the new holder), and the announcement frames per second the survivors sent (captured on the
 * client). The same for keepalived with one VRRP instance per group, a third preferring each node.
 * Usage: ScaleBench [GROUPS] (default 100).
 */
public final class ScaleBench {

  private record Group(String name, List<String> addresses) {}

  private record Result(String keeper, int moved, int arrived, double[] millis, int frames, double framesPerSecond,
      double burstMillis) {}

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    List<Group> groups = layout(count);
    Path logs = FailoverLab.logDir("scale");
    List<Result> results = new ArrayList<>();
    results.add(measure(groups, lab -> new VipkeeperNodes(lab, 3, logs, "vipkeeper scale", Map.of("VIPKEEPER_VIPS", ""),
        options(groups))));
    results.add(measure(groups, lab -> new KeepalivedNodes(lab, 3, logs, "1", i -> keepalived(groups, i))));
    print(results, groups);
  }

  /** 2 IPv4 (198.18.0.20-99 and .110-229) and 8 IPv6 (2001:db8:18::1:0 on) per group. */
  static List<Group> layout(int count) {
    if (count > 100) throw new IllegalArgumentException("at most 100 groups fit the lab's IPv4 range");
    List<Group> groups = new ArrayList<>();
    for (int g = 0; g < count; g++) {
      List<String> addresses = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        int n = g * 2 + k;
        addresses.add("198.18.0." + (n < 80 ? 20 + n : 110 + n - 80));
      }
      for (int k = 0; k < 8; k++) addresses.add("2001:db8:18::1:" + Integer.toHexString(g * 8 + k));
      groups.add(new Group(String.format("s%03d", g), addresses));
    }
    return groups;
  }

  private static List<String> options(List<Group> groups) {
    List<String> options = new ArrayList<>();
    for (Group group : groups) {
      for (int k = 0; k < group.addresses().size(); k++) {
        String a = group.addresses().get(k);
        options.add("-Dvipkeeper.groups." + group.name() + ".addresses." + k + "=" + a + (a.contains(":") ? "/64" : "/24"));
      }
    }
    return options;
  }

  /** One VRRPv3 instance per group; group g prefers node g % 3 + 1. IPv6 VIPs ride along excluded from adverts. */
  private static String keepalived(List<Group> groups, int node) {
    StringBuilder b = new StringBuilder();
    for (int g = 0; g < groups.size(); g++) {
      List<String> a = groups.get(g).addresses();
      b.append("vrrp_instance ").append(groups.get(g).name()).append(" {\n  state BACKUP\n  interface eth0\n  version 3\n")
          .append("  virtual_router_id ").append(g + 1).append("\n  priority ").append(g % 3 + 1 == node ? 150 : 100 + node)
          .append("\n  advert_int 1\n  virtual_ipaddress {\n");
      for (String v4 : a.subList(0, 2)) b.append("    ").append(v4).append("/24 dev eth0\n");
      b.append("  }\n  virtual_ipaddress_excluded {\n");
      for (String v6 : a.subList(2, a.size())) b.append("    ").append(v6).append("/64 dev eth0\n");
      b.append("  }\n}\n");
    }
    return b.toString();
  }

  private static Result measure(List<Group> groups, Function<Lab, Nodes> kind) throws Exception {
    List<String> all = groups.stream().flatMap(g -> g.addresses().stream()).toList();
    try (Lab lab = Lab.up(Lab.prefix("vksc"), 3, 1)) {
      Nodes nodes = kind.apply(lab);
      try {
        return run(lab, nodes, all);
      } finally {
        nodes.close();
      }
    }
  }

  private static Result run(Lab lab, Nodes nodes, List<String> all) throws Exception {
    try {
      lab.exec("c1", "sysctl", "-qw", "net.ipv4.neigh.default.gc_thresh3=8192", "net.ipv6.neigh.default.gc_thresh3=8192",
          "net.ipv4.neigh.default.gc_thresh2=4096", "net.ipv6.neigh.default.gc_thresh2=4096");
    } catch (RuntimeException e) {
      System.out.println("(client neighbour limits unchanged: " + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    System.out.println("==> " + nodes.label() + ": " + all.size() / 10 + " groups, " + all.size() + " addresses");
    for (int i = 1; i <= 3; i++) nodes.start(i);
    if (!FailoverLab.await(Duration.ofSeconds(240), () -> heldOnce(lab, all))) {
      throw new IllegalStateException(nodes.label() + ": not every address held by exactly one node: " + holders(lab, all));
    }
    Thread.sleep(8000); // past the announcement bursts and preemption
    Map<String, Integer> before = holders(lab, all);
    prime(lab, all);
    int victim = victim(nodes, before);
    Set<String> moved = new HashSet<>();
    before.forEach((a, n) -> { if (n == victim) moved.add(a); });
    System.out.println("    n" + victim + " holds " + moved.size() + " addresses; kill -9 and link down");
    List<Watch> watches = new ArrayList<>();
    for (int i = 1; i <= 3; i++) if (i != victim) watches.add(Watch.start(lab, "n" + i, "address", ""));
    watches.add(Watch.start(lab, "c1", "neigh", "lladdr"));
    Capture capture = Capture.start(lab, "c1");
    Thread.sleep(500);
    long fault = System.nanoTime();
    nodes.crash(victim);
    lab.link("n" + victim, false);
    FailoverLab.await(Duration.ofSeconds(60), () -> arrivals(watches, moved, victim, fault).size() == moved.size());
    Thread.sleep(3000);
    Map<String, Long> arrived = arrivals(watches, moved, victim, fault);
    Set<String> survivors = new HashSet<>();
    for (int i = 1; i <= 3; i++) if (i != victim) survivors.add(LabAddresses.nodeMac(i));
    List<Capture.Frame> frames = capture.stop().stream().filter(f -> f.nanos() > fault && survivors.contains(f.mac())).toList();
    watches.forEach(Watch::close);
    double[] millis = arrived.values().stream().mapToDouble(t -> (t - fault) / 1e6).sorted().toArray();
    // The first burst: frames within 2 s of the first one (a second burst comes seconds later).
    long first = frames.stream().mapToLong(Capture.Frame::nanos).min().orElse(fault);
    List<Capture.Frame> burst = frames.stream().filter(f -> f.nanos() < first + 2_000_000_000L).toList();
    long last = burst.stream().mapToLong(Capture.Frame::nanos).max().orElse(first);
    double span = (last - first) / 1e9;
    return new Result(nodes.label(), moved.size(), arrived.size(), millis, burst.size(),
        span > 0 ? burst.size() / span : 0, span * 1000);
  }

  /** The node holding the most addresses, but not the vipkeeper deciders' node when another holds as many. */
  private static int victim(Nodes nodes, Map<String, Integer> holders) {
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

  /** The client sends one datagram to every VIP, twice: it then has a neighbour entry for each. */
  private static void prime(Lab lab, List<String> addresses) throws Exception {
    lab.inside("c1", () -> {
      try (DatagramSocket socket = new DatagramSocket()) {
        byte[] ping = "prime".getBytes(StandardCharsets.US_ASCII);
        for (int round = 0; round < 2; round++) {
          for (String a : addresses) socket.send(new DatagramPacket(ping, ping.length, InetAddress.getByName(a), 5051));
          Thread.sleep(1500);
        }
      }
      return null;
    });
  }

  /** Per moved address, when both the new node's kernel held it and the client's entry pointed there. */
  private static Map<String, Long> arrivals(List<Watch> watches, Set<String> moved, int victim, long fault) {
    Map<String, Long> kernel = new HashMap<>();
    Map<String, Long> neighbour = new HashMap<>();
    for (Watch w : watches) {
      for (Watch.Event e : w.events()) {
        if (e.nanos() <= fault) continue;
        String[] t = e.line().split("\\s+");
        if (e.host().equals("c1")) {
          if (!e.line().contains(LabAddresses.nodeMac(victim)) && !e.line().startsWith("Deleted")) neighbour.putIfAbsent(t[0], e.nanos());
        } else if (!e.line().startsWith("Deleted")) {
          for (int k = 0; k + 1 < t.length; k++) {
            if (t[k].equals("inet") || t[k].equals("inet6")) kernel.putIfAbsent(t[k + 1].replaceAll("/.*", ""), e.nanos());
          }
        }
      }
    }
    Map<String, Long> both = new HashMap<>();
    for (String a : moved) {
      if (kernel.containsKey(a) && neighbour.containsKey(a)) both.put(a, Math.max(kernel.get(a), neighbour.get(a)));
    }
    return both;
  }

  private static boolean heldOnce(Lab lab, List<String> all) {
    Map<String, Integer> holders = holders(lab, all);
    return holders.size() == all.size() && !holders.containsValue(-1);
  }

  /** Address to the node holding it (-1 when more than one does). */
  private static Map<String, Integer> holders(Lab lab, List<String> all) {
    Set<String> wanted = new HashSet<>(all);
    Map<String, Integer> holders = new HashMap<>();
    for (int i = 1; i <= 3; i++) {
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
        if (wanted.contains(a)) holders.merge(a, i, (x, y) -> -1);
      }
    }
    return holders;
  }

  private static void print(List<Result> results, List<Group> groups) {
    System.out.printf("%nScale benchmark, %s, %d cores: %d groups, %d addresses on 3 nodes; kill -9 of the node holding a third%n",
        LocalDate.now(), Runtime.getRuntime().availableProcessors(), groups.size(), groups.size() * 10);
    System.out.println("| keeper | addresses moved | new node holds it and the client points there (min / median / max) | frames in the first burst | frames per second | burst length |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (Result r : results) {
      double[] m = r.millis();
      String times = m.length == 0 ? "none" : String.format("%.0f / %.0f / %.0f ms", m[0], m[m.length / 2], m[m.length - 1]);
      String missing = r.arrived() < r.moved() ? " (" + (r.moved() - r.arrived()) + " never)" : "";
      System.out.printf("| %s | %d | %s%s | %d | %.0f | %.0f ms |%n", r.keeper(), r.moved(), times, missing, r.frames(),
          r.framesPerSecond(), r.burstMillis());
    }
  }

  /** tcpdump on the client: gratuitous ARP and neighbour advertisements, stamped as they arrive. */
  private static final class Capture {
    record Frame(long nanos, String mac) {}

    private final Process process;
    private final List<Frame> frames = new ArrayList<>();

    private Capture(Process process) {
      this.process = process;
    }

    static Capture start(Lab lab, String host) throws Exception {
      Process p = new ProcessBuilder("ip", "netns", "exec", lab.ns(host), "tcpdump", "-i", "eth0", "-nn", "-e", "-l", "-q",
          "arp or (icmp6 and ip6[40] == 136)").redirectError(ProcessBuilder.Redirect.DISCARD).start();
      Capture c = new Capture(p);
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            long now = System.nanoTime();
            String[] t = line.trim().split("\\s+");
            if (t.length > 2) synchronized (c.frames) { c.frames.add(new Frame(now, t[1])); }
          }
        } catch (Exception e) {
          // tcpdump ended
        }
      }, "capture-" + host);
      reader.setDaemon(true);
      reader.start();
      return c;
    }

    List<Frame> stop() {
      process.destroy();
      synchronized (frames) {
        return List.copyOf(frames);
      }
    }
  }
}
