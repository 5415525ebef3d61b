package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.FailoverLab;
import io.vipkeeper.lab.KeepalivedNodes;
import io.vipkeeper.lab.Lab;
import io.vipkeeper.lab.Nodes;
import io.vipkeeper.lab.VipkeeperNodes;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The scale benchmark (not a test): GROUPS groups of 10 addresses (100 groups = 1,000 VIPs) on 3
 * nodes, RUNS fresh labs per keeper. Each run kills -9 the node holding the most addresses (link
 * down) and times, per moved address, the fault until the new node's kernel holds it and the
 * client's neighbour entry points at the new node; every address it held is accounted for, and the
 * survivors are checked for double holders. Keepers: vipkeeper (default timing profile),
 * vipkeeper-fast (fast profile), ka1 (keepalived advert 1 s), ka01 (advert 0.1 s), one VRRP
 * instance per group. Usage: ScaleBench [RUNS] [KINDS] [GROUPS] (default 3 vipkeeper,vipkeeper-fast,ka1,ka01 100).
 */
public final class ScaleBench {

  /** The neighbour table's limits are not per namespace: raised on the host for the run, then restored. */
  private static final List<String> LIMITS = List.of("net.ipv4.neigh.default.gc_thresh2", "net.ipv4.neigh.default.gc_thresh3",
      "net.ipv6.neigh.default.gc_thresh2", "net.ipv6.neigh.default.gc_thresh3");

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    List<String> kinds = List.of((args.length > 1 ? args[1] : "vipkeeper,vipkeeper-fast,ka1,ka01").split(","));
    List<ScaleLayout.Group> groups = ScaleLayout.groups(args.length > 2 ? Integer.parseInt(args[2]) : 100);
    Map<String, String> saved = raiseNeighbourLimits();
    Map<String, List<ScaleRun.Outcome>> outcomes = new LinkedHashMap<>();
    try {
      for (int run = 1; run <= runs; run++) {
        for (String kind : kinds) {
          System.out.printf("==> run %d of %d: %s, %d groups%n", run, runs, kind, groups.size());
          ScaleRun.Outcome o = measure(groups, keeper(kind, groups, run));
          ScaleReport.printRun(o);
          outcomes.computeIfAbsent(o.keeper(), k -> new ArrayList<>()).add(o);
        }
      }
    } finally {
      restore(saved);
    }
    ScaleReport.printSummary(LocalDate.now(), groups.size(), outcomes);
  }

  /** The keepers of one run; each run keeps its own logs (scale/run-N), to read its phases afterwards. */
  private static Function<Lab, Nodes> keeper(String kind, List<ScaleLayout.Group> groups, int run) {
    Path logs = FailoverLab.logDir("scale").resolve("run-" + run);
    return switch (kind) {
      case "vipkeeper" -> lab -> new VipkeeperNodes(lab, 3, logs, "vipkeeper", Map.of("VIPKEEPER_VIPS", ""),
          ScaleLayout.vipkeeperOptions(groups));
      case "vipkeeper-fast" -> lab -> new VipkeeperNodes(lab, 3, logs, "vipkeeper, fast profile",
          Map.of("VIPKEEPER_VIPS", "", "VIPKEEPER_TIMING", "fast"), ScaleLayout.vipkeeperOptions(groups));
      case "ka1" -> lab -> new KeepalivedNodes(lab, 3, logs, "1", i -> ScaleLayout.keepalived(groups, i, "1"));
      case "ka01" -> lab -> new KeepalivedNodes(lab, 3, logs, "0.1", i -> ScaleLayout.keepalived(groups, i, "0.1"));
      default -> throw new IllegalArgumentException("unknown keeper " + kind + " (vipkeeper, vipkeeper-fast, ka1, ka01)");
    };
  }

  private static ScaleRun.Outcome measure(List<ScaleLayout.Group> groups, Function<Lab, Nodes> kind) throws Exception {
    try (Lab lab = Lab.up(Lab.prefix("vksc"), 3, 1)) {
      Nodes nodes = kind.apply(lab);
      try {
        return new ScaleRun(lab, nodes, groups).run();
      } finally {
        nodes.close();
      }
    }
  }

  private static Map<String, String> raiseNeighbourLimits() throws Exception {
    Map<String, String> saved = new LinkedHashMap<>();
    for (String key : LIMITS) saved.put(key, sysctl("-n", key).trim());
    for (String key : LIMITS) sysctl("-qw", key + "=" + (key.endsWith("thresh3") ? "16384" : "8192"));
    System.out.println("neighbour table limits raised for the run (restored after): " + saved);
    return saved;
  }

  private static void restore(Map<String, String> saved) {
    saved.forEach((key, value) -> {
      try {
        sysctl("-qw", key + "=" + value);
      } catch (Exception e) {
        System.out.println("could not restore " + key + "=" + value + ": " + e.getMessage());
      }
    });
  }

  private static String sysctl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("sysctl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IllegalStateException("sysctl " + String.join(" ", args) + ": " + out.trim());
    return out;
  }

  static double[] sorted(double[] values) {
    double[] copy = values.clone();
    Arrays.sort(copy);
    return copy;
  }
}
