package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.*;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two failover methods on a switch that drops gratuitous ARP for the VIP before learning (as
 * ARP inspection or an ARP rate policy), beside the same methods where it is allowed: four faults
 * of the holder, RUNS times each, in one lab per kind; printed as one table of the time from the
 * fault to the client's first answer from the new holder (min / median / max), or how often the
 * client was not answered within 10 s.
 * Usage: GarpPolicyBench [RUNS] [KINDS] — RUNS default 3; KINDS a comma list of vmac, garp,
 * vmac-dropped, garp-dropped, tell-dropped (garp with announce.tell-neighbours); default all five.
 */
public final class GarpPolicyBench {

  private static final List<String> FAULTS = List.of("planned stop", "JVM killed, link up", "cut off, port up", "crash, link down");
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private GarpPolicyBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String kinds = args.length > 1 ? args[1] : "vmac,garp,vmac-dropped,garp-dropped,tell-dropped";
    Map<String, Map<String, List<Takeover>>> results = new LinkedHashMap<>();
    for (String kind : kinds.split(",")) results.put(kind.trim(), measure(kind.trim(), runs));
    System.out.printf("%nGratuitous ARP allowed or dropped by the switch, %s, %d cores, %d runs each%n", LocalDate.now(),
        Runtime.getRuntime().availableProcessors(), runs);
    System.out.println("fault to the client's first answer from the new holder, ms: min / median / max (not answered within "
        + LIMIT.toSeconds() + " s)");
    System.out.printf("%-34s", "");
    FAULTS.forEach(f -> System.out.printf(" | %-26s", f));
    System.out.println();
    results.forEach((kind, byFault) -> {
      System.out.printf("%-34s", label(kind));
      FAULTS.forEach(f -> System.out.printf(" | %-26s", Bench.stats(byFault.get(f), Takeover::takeoverMillis)));
      System.out.println();
    });
  }

  private static String label(String kind) {
    return switch (kind) {
      case "vmac" -> "vmac, G-ARP allowed";
      case "garp" -> "garp, G-ARP allowed";
      case "vmac-dropped" -> "vmac, G-ARP dropped";
      case "garp-dropped" -> "garp, G-ARP dropped";
      case "tell-dropped" -> "garp + tell-neighbours, G-ARP dropped";
      default -> throw new IllegalArgumentException("unknown kind " + kind + "; see the usage in GarpPolicyBench");
    };
  }

  private static Map<String, List<Takeover>> measure(String kind, int runs) throws Exception {
    Map<String, String> env = kind.startsWith("vmac") ? Map.of("VIPKEEPER_MODE", "vmac", "VIPKEEPER_VRID", "53") : Map.of();
    List<String> jvm = kind.startsWith("tell") ? List.of("-Dvipkeeper.announce.tell-neighbours=on") : List.of();
    String label = label(kind);
    try (FailoverLab lab = FailoverLab.up(Lab.prefix("vkgp"), 3,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("garp-policy"), kind, env, jvm))) {
      if (kind.endsWith("dropped")) lab.dropGratuitousArp(LabAddresses.VIP);
      lab.startAll();
      System.out.println("==> " + label + ": " + runs + " runs of " + FAULTS);
      Map<String, List<Takeover>> byFault = new LinkedHashMap<>();
      FAULTS.forEach(f -> byFault.put(f, new ArrayList<>()));
      for (int r = 0; r < runs; r++) {
        for (String fault : FAULTS) {
          int holder = Bench.awaitHolder(lab);
          Takeover t = fault(lab, fault, holder);
          System.out.printf("    %-28s %s%n", fault, t.tookOver() ? String.format("%.0f ms, to %s, client entry %s", t.takeoverMillis(), t.to(),
              t.neighbourAfter()) : "not answered within " + LIMIT.toSeconds() + " s, client entry " + t.neighbourAfter());
          byFault.get(fault).add(t);
          recover(lab, fault, holder);
        }
      }
      return byFault;
    }
  }

  private static Takeover fault(FailoverLab lab, String fault, int holder) throws Exception {
    return switch (fault) {
      case "planned stop" -> lab.stop(holder, LIMIT);
      case "JVM killed, link up" -> lab.kill(holder, LIMIT);
      case "cut off, port up" -> lab.cut(holder, LIMIT);
      default -> lab.crash(holder, LIMIT);
    };
  }

  /** The node comes back as a member, so the next fault finds three. */
  private static void recover(FailoverLab lab, String fault, int node) throws Exception {
    switch (fault) {
      case "planned stop" -> lab.rejoin(node);
      case "cut off, port up" -> {
        lab.heal();
        FailoverLab.await(Duration.ofSeconds(10), () -> !lab.nodes().running(node));
        if (!lab.nodes().running(node)) lab.rejoin(node);
      }
      default -> lab.restart(node, Duration.ofSeconds(30));
    }
  }
}
