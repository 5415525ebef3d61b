package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The failover benchmark (not a test): the same crash and planned-stop faults, several times, for
 * vipkeeper (per timing profile) and for keepalived (per advert interval) in the same lab layout
 * and the same run, printed as one table, with each keeper's CPU use while idle.
 * Usage: Bench [RUNS] [KINDS] [process-only] — RUNS default 5; KINDS a comma list of default, fast,
 * conservative, vmac, ka1, ka0.1, ka0.05 (default: default,fast,ka1,ka0.1,ka0.05), pekko (idle only: Pekko's
 * cluster alone with vipkeeper's cluster settings, the floor under a node's idle cost), a vipkeeper kind
 * optionally with JVM options after '@' (default@-XX:TieredStopAtLevel=4); process-only runs only the
 * faults of the keeper's process (kill -9 with the link up, SIGSTOP, CPU starvation); idle runs only
 * start-up (one node alone, and three started together) and the idle rows (RSS, threads, CPU), RUNS fresh labs per kind;
 * planned runs only the planned stops (SIGTERM of the holder), for work on that path.
 */
public final class Bench {

  private record Result(String keeper, List<Takeover> crashes, List<Takeover> stops, Takeover cut, double cutOverlapMs,
      double rssMb, double threads, double startMs, double idleCpuPercent, double overlapMs, String staleRemoved, String phases, List<ProcessFault> faults,
      List<Takeover> settledStops) {}

  /** One fault of the keeper's process while its host runs on, with what a second host's ARP requests saw. */
  private record ProcessFault(String fault, Takeover takeover, double twoMacsMs, int flipBacks) {}

  private static final List<String> PROCESS_FAULTS = List.of("kill -9, link up", "SIGSTOP 5 s", "CPU starved 3 s");

  private static final Duration IDLE_WINDOW = Duration.ofSeconds(10);
  /**
   * From a formed cluster to the idle window: a JVM keeps compiling and collecting its start-up
   * garbage for ~20 s (C1 threads busy, the old generation still filling), which is not idle cost.
   */
  private static final Duration IDLE_SETTLE = Duration.ofSeconds(20);
  /**
   * The planned stops are made twice: onto a node restarted seconds before (a quick rolling
   * upgrade) and onto one up this long, past its start-up JIT and collections (a target restarted
   * seconds before once took a handed-on claim ~50 ms later: its message warm-up was not due yet).
   */
  private static final Duration SETTLED = Duration.ofSeconds(25);

  private Bench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String kinds = args.length > 1 ? args[1] : "default,fast,ka1,ka0.1,ka0.05";
    Path logs = FailoverLab.logDir("bench");
    List<Result> results = new ArrayList<>();
    boolean processOnly = args.length > 2 && args[2].equals("process-only");
    boolean plannedOnly = args.length > 2 && args[2].equals("planned");
    if (args.length > 2 && args[2].equals("idle")) {
      idleOnly(kinds, runs, logs);
      return;
    }
    for (String kind : kinds.split(",")) results.add(measure(kind(kind.trim(), logs), runs, processOnly, plannedOnly));
    print(results, runs);
  }

  /** A kind may carry JVM options after '@', '@'-separated: default@-XX:TieredStopAtLevel=4 (for sizing experiments). */
  static Function<Lab, Nodes> kind(String spec, Path logs) {
    return kind(spec, logs, 3);
  }

  /** As {@link #kind(String, Path)}, for a lab of {@code count} nodes. */
  static Function<Lab, Nodes> kind(String spec, Path logs, int count) {
    String[] parts = spec.split("@");
    String name = parts[0];
    List<String> jvm = List.of(parts).subList(1, parts.length);
    String label = (jvm.isEmpty() ? "" : " " + String.join(" ", jvm)) + (count == 1 ? " alone" : "");
    return switch (name) {
      case "default", "fast", "conservative" -> lab -> new VipkeeperNodes(lab, count, logs, "vipkeeper " + name + label,
          Map.of("VIPKEEPER_TIMING", name), jvm);
      case "vmac" -> lab -> new VipkeeperNodes(lab, count, logs, "vipkeeper vmac", Map.of("VIPKEEPER_MODE", "vmac", "VIPKEEPER_VRID", "50"), List.of());
      default -> {
        if (!name.startsWith("ka")) throw new IllegalArgumentException("unknown kind " + name + "; see the usage in Bench");
        String advert = name.substring(2);
        yield lab -> new KeepalivedNodes(lab, count, logs, advert);
      }
    };
  }

  private static Result measure(Function<Lab, Nodes> kind, int runs, boolean processOnly, boolean plannedOnly) throws Exception {
    try (FailoverLab lab = FailoverLab.up(Lab.prefix("vkbn"), 3, 2, kind)) {
      System.out.println("==> " + lab.nodes().label() + ": " + runs + " crashes, " + runs + " planned stops");
      double startMs = startTogether(lab);
      System.out.printf("    %-40s %.0f ms%n", "three started together: VIP held after", startMs);
      int holder = awaitHolder(lab);
      Thread.sleep(IDLE_SETTLE.toMillis());
      double rss = rssMb(lab.nodes(), 3);
      double threads = threads(lab.nodes(), 3);
      double idleCpu = idleCpuPercent(lab.nodes(), 3);
      if (processOnly) {
        return new Result(lab.nodes().label(), List.of(), List.of(), null, 0, rss, threads, startMs, idleCpu, 0, "-", "", processFaults(lab, runs), List.of());
      }
      List<Takeover> crashes = new ArrayList<>();
      int staleKept = 0;
      for (int r = 0; r < (plannedOnly ? 0 : runs); r++) {
        Takeover t = lab.crash(holder, Duration.ofSeconds(30));
        report(t);
        crashes.add(t);
        if (!lab.restart(holder, Duration.ofSeconds(8))) staleKept++;
        holder = awaitHolder(lab);
      }
      List<Takeover> stops = plannedStops(lab, runs, Duration.ZERO);
      List<Takeover> settledStops = plannedStops(lab, runs, SETTLED);
      holder = awaitHolder(lab);
      double before = lab.maxOverlapMillis();
      if (plannedOnly) {
        return new Result(lab.nodes().label(), crashes, stops, null, 0, rss, threads, startMs, idleCpu, before, "-",
            TakeoverPhases.of(lab.nodes(), 3), List.of(), settledStops);
      }
      Takeover cut = lab.cut(holder, Duration.ofSeconds(15));
      report(cut);
      Thread.sleep(6000); // the holder stays cut off for about 8 s in all
      double cutOverlap = lab.maxOverlapMillis();
      lab.heal();
      Thread.sleep(4000);
      for (int i = 1; i <= 3; i++) if (!lab.nodes().running(i)) lab.rejoin(i);
      awaitHolder(lab);
      List<ProcessFault> faults = processFaults(lab, runs);
      return new Result(lab.nodes().label(), crashes, stops, cut, cutOverlap, rss, threads, startMs, idleCpu, before,
          staleKept == 0 ? "yes" : "no (" + staleKept + "/" + runs + " kept it)", TakeoverPhases.of(lab.nodes(), 3), faults, settledStops);
    }
  }

  private static final double SLOW_START_MS = 15_000;

  /** Only the idle rows: three started together until the VIP is held, then RSS, threads and idle CPU; RUNS labs per kind. */
  private static void idleOnly(String kinds, int runs, Path logs) throws Exception {
    List<String> rows = new ArrayList<>();
    for (String kind : kinds.split(",")) {
      if (kind.trim().equals("pekko")) {
        rows.add(pekkoFloor(runs, logs));
        continue;
      }
      List<double[]> samples = new ArrayList<>();
      String label = kind;
      for (int r = 0; r < runs; r++) {
        try (FailoverLab lab = FailoverLab.up(Lab.prefix("vkbi"), 3, 1, kind(kind.trim(), logs))) {
          label = lab.nodes().label();
          double startMs = startTogether(lab);
          awaitHolder(lab);
          Thread.sleep(IDLE_SETTLE.toMillis());
          samples.add(new double[] {startMs, rssMb(lab.nodes(), 3), threads(lab.nodes(), 3), idleCpuPercent(lab.nodes(), 3), 0});
        }
        samples.get(r)[4] = aloneMs(kind.trim(), logs);
        System.out.printf("    %-40s start %.0f ms, RSS %.0f MB, threads %.0f, idle CPU %.1f %%, one node alone %.0f ms%n", label,
            samples.get(r)[0], samples.get(r)[1], samples.get(r)[2], samples.get(r)[3], samples.get(r)[4]);
      }
      rows.add(String.format("| %s | %s ms | %s ms | %s MB | %s | %s %% |", label, column(samples, 4, "%.0f"), column(samples, 0, "%.0f"),
          column(samples, 1, "%.0f"), column(samples, 2, "%.0f"), column(samples, 3, "%.1f")));
    }
    System.out.printf("%nIdle cost, %s, %d cores, %d labs each (min / median / max)%n", LocalDate.now(),
        Runtime.getRuntime().availableProcessors(), runs);
    System.out.println("| keeper | one node alone: VIP held after | three started together: VIP held after | RSS per node | threads per node | idle CPU per node |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    rows.forEach(System.out::println);
  }

  /** The idle rows of three bare Pekko members (see {@link BareMember}): what vipkeeper's own idle cost sits on. */
  private static String pekkoFloor(int runs, Path logs) throws Exception {
    List<double[]> samples = new ArrayList<>();
    String label = "pekko";
    for (int r = 0; r < runs; r++) {
      try (Lab lab = Lab.up(Lab.prefix("vkbp"), 3, 0); PekkoMembers members = new PekkoMembers(lab, 3, logs)) {
        label = members.label();
        for (int i = 1; i <= 3; i++) members.start(i);
        if (!FailoverLab.await(Duration.ofSeconds(60), members::formed)) throw new IllegalStateException("the bare members never all came Up:\n" + members.log(1));
        Thread.sleep(IDLE_SETTLE.toMillis());
        samples.add(new double[] {rssMb(members, 3), threads(members, 3), idleCpuPercent(members, 3)});
        System.out.printf("    %-40s RSS %.0f MB, threads %.0f, idle CPU %.1f %%%n", label, samples.get(r)[0], samples.get(r)[1], samples.get(r)[2]);
      }
    }
    return String.format("| %s | - | - | %s MB | %s | %s %% |", label, column(samples, 0, "%.0f"), column(samples, 1, "%.0f"), column(samples, 2, "%.1f"));
  }

  /**
   * Three nodes started together until the lab sees them formed and one holder answering. A start
   * far slower than the others (once 28 s against 8-10 s, its logs overwritten since) prints the
   * lab's state then: the kernels' events and each node's last log lines.
   */
  private static double startTogether(FailoverLab lab) throws Exception {
    long started = System.nanoTime();
    lab.startAll();
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(90));
    double ms = (System.nanoTime() - started) / 1e6;
    if (holder < 0 || ms > SLOW_START_MS) System.out.printf("    slow start: %.0f ms (holder %s); the lab then:%n%s", ms, holder, lab.report());
    return ms;
  }

  /** Start to ready on a machine of its own: one node, its own cluster, until it holds the VIP. */
  private static double aloneMs(String kind, Path logs) throws Exception {
    try (FailoverLab lab = FailoverLab.up(Lab.prefix("vkba"), 1, 1, kind(kind, logs, 1))) {
      long started = System.nanoTime();
      lab.startAll();
      if (lab.awaitSingleHolder(Duration.ofSeconds(60)) != 1) throw new IllegalStateException("one node alone never held the VIP:\n" + lab.report());
      return (System.nanoTime() - started) / 1e6;
    }
  }

  static String column(List<double[]> samples, int col, String format) {
    double[] v = samples.stream().mapToDouble(x -> x[col]).sorted().toArray();
    return String.format(format + " / " + format + " / " + format, v[0], v[v.length / 2], v[v.length - 1]);
  }

  /**
   * The holder's keeper killed, frozen or starved while its host, link and service run on; a
   * second host (c2) asks ARP for the VIP every 20 ms and records every answering MAC.
   */
  private static List<ProcessFault> processFaults(FailoverLab lab, int runs) throws Exception {
    List<ProcessFault> faults = new ArrayList<>();
    try (NeighbourAsker asker = NeighbourAsker.start(lab.lab(), "c2", "198.18.0.101", "2001:db8:18::101", LabAddresses.VIP, "", 20, 3600)) {
      for (String fault : PROCESS_FAULTS) {
        for (int r = 0; r < runs; r++) {
          int holder = awaitHolder(lab);
          int logged = lab.nodes().log(holder).length();
          long at = System.nanoTime();
          Takeover t = switch (fault) {
            case "kill -9, link up" -> lab.kill(holder, Duration.ofSeconds(30));
            case "SIGSTOP 5 s" -> lab.freeze(holder, Duration.ofSeconds(5), Duration.ofSeconds(30));
            default -> lab.starve(holder, Duration.ofSeconds(3), Duration.ofSeconds(30));
          };
          double twoMacs = asker.twoAnswersMillis(at, System.nanoTime());
          report(t);
          System.out.printf("    %-40s two MACs answering %.0f ms%n", "", twoMacs);
          faults.add(new ProcessFault(fault, t, twoMacs, lab.flipBacksSince(at)));
          if (fault.startsWith("kill")) lab.restart(holder, Duration.ofSeconds(8));
          else lab.afterStall(holder, logged);
        }
      }
    }
    return faults;
  }

  /** SIGTERM of the holder, {@code upFor} after the last restart settled; the stopped node is started again. */
  private static List<Takeover> plannedStops(FailoverLab lab, int runs, Duration upFor) throws Exception {
    List<Takeover> stops = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      Thread.sleep(upFor.toMillis());
      int holder = awaitHolder(lab);
      Takeover t = lab.stop(holder, Duration.ofSeconds(30));
      report(t);
      stops.add(t);
      lab.restart(holder, Duration.ofSeconds(8));
    }
    return stops;
  }

  static int awaitHolder(FailoverLab lab) throws InterruptedException {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(90));
    if (holder < 0) throw new IllegalStateException("no single holder:\n" + lab.report());
    // Every node Up and settled, and a restarted JVM past its start-up CPU burst: a fault while a
    // node is still starting measures the machine, not the keeper.
    FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().formed());
    Thread.sleep(4000);
    return lab.awaitSingleHolder(Duration.ofSeconds(60));
  }

  private static void report(Takeover t) {
    System.out.printf("    %-40s %s%s%n", t.fault(), t.tookOver()
        ? String.format("takeover %.0f ms, gap %.0f ms, to %s", t.takeoverMillis(), t.gapMillis(), t.to()) : "NO TAKEOVER",
        t.exited().isPresent() ? String.format(", exited after %.0f ms", t.exitMillis()) : "");
  }

  /** CPU time the keeper's processes use while nothing happens, per node, in % of one core. */
  private static double idleCpuPercent(Nodes nodes, int count) throws InterruptedException {
    long before = cpuTicks(nodes, count);
    Thread.sleep(IDLE_WINDOW.toMillis());
    long ticks = cpuTicks(nodes, count) - before;
    return ticks * 100.0 / 100 / IDLE_WINDOW.toSeconds() / count; // USER_HZ = 100
  }

  private static long cpuTicks(Nodes nodes, int count) {
    long total = 0;
    for (int i = 1; i <= count; i++) {
      for (ProcessHandle p : nodes.processes(i)) total += cpuTicks(p.pid());
    }
    return total;
  }

  /** utime + stime of /proc/PID/stat (fields 14 and 15), in clock ticks. */
  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return 0;
    }
  }

  private static double rssMb(Nodes nodes, int count) {
    double total = 0;
    for (int i = 1; i <= count; i++) {
      for (ProcessHandle p : nodes.processes(i)) total += rssKb(p.pid()) / 1024.0;
    }
    return total / count;
  }

  private static long rssKb(long pid) {
    return statusField(pid, "VmRSS:");
  }

  /** Threads of the keeper's processes per node. */
  private static double threads(Nodes nodes, int count) {
    double total = 0;
    for (int i = 1; i <= count; i++) {
      for (ProcessHandle p : nodes.processes(i)) total += statusField(p.pid(), "Threads:");
    }
    return total / count;
  }

  /** A number field of /proc/PID/status, 0 when unreadable. */
  private static long statusField(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field)) return Long.parseLong(line.replaceAll("\\D", ""));
      }
    } catch (Exception e) {
      return 0;
    }
    return 0;
  }

  private static void print(List<Result> results, int runs) {
    System.out.printf("%nFailover benchmark, %s, %d cores, %d runs each (ms: min / median / max)%n",
        LocalDate.now(), Runtime.getRuntime().availableProcessors(), runs);
    System.out.println("| keeper | crash: fault to first answer | planned stop: first answer | planned stop: client gap | old node answered after takeover"
        + " | two holders, crashes and stops | holder cut off 8 s: new holder answers after | two holders while cut off | stale VIP removed at restart"
        + " | three started together: VIP held after | RSS per node | threads per node | idle CPU per node |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (Result r : results) {
      if (r.cut() == null) continue;
      long oldAnswers = r.crashes().stream().mapToLong(Takeover::answersFromOldAfterNew).sum()
          + r.stops().stream().mapToLong(Takeover::answersFromOldAfterNew).sum();
      System.out.printf("| %s | %s | %s | %s | %d | %.0f ms | %s | %.0f ms | %s | %.0f ms | %.0f MB | %.0f | %.1f %% |%n", r.keeper(),
          stats(r.crashes(), Takeover::takeoverMillis), stats(r.stops(), Takeover::takeoverMillis), stats(r.stops(), Takeover::gapMillis),
          oldAnswers, r.overlapMs(), r.cut().tookOver() ? String.format("%.0f ms", r.cut().takeoverMillis()) : "never",
          r.cutOverlapMs(), r.staleRemoved(), r.startMs(), r.rssMb(), r.threads(), r.idleCpuPercent());
    }
    for (Result r : results) {
      if (r.cut() != null || r.stops().isEmpty()) continue;
      System.out.printf("| %s, planned stops only | - | %s | %s | %d | %.0f ms | - | - | - | %.0f ms | %.0f MB | %.0f | %.1f %% |%n", r.keeper(),
          stats(r.stops(), Takeover::takeoverMillis), stats(r.stops(), Takeover::gapMillis),
          r.stops().stream().mapToLong(Takeover::answersFromOldAfterNew).sum(), r.overlapMs(), r.startMs(), r.rssMb(), r.threads(),
          r.idleCpuPercent());
    }
    System.out.printf("%nPlanned stops by how long the new holder had been up (SIGTERM of the holder; the stopped node is restarted each time)%n");
    System.out.println("| keeper | restarted seconds before: first answer | gap | up " + SETTLED.toSeconds() + " s or more: first answer | gap"
        + " | SIGTERM to the process's exit, all stops |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (Result r : results) {
      if (r.stops().isEmpty()) continue;
      List<Takeover> all = new ArrayList<>(r.stops());
      all.addAll(r.settledStops());
      System.out.printf("| %s | %s | %s | %s | %s | %s |%n", r.keeper(), stats(r.stops(), Takeover::takeoverMillis), stats(r.stops(), Takeover::gapMillis),
          stats(r.settledStops(), Takeover::takeoverMillis), stats(r.settledStops(), Takeover::gapMillis),
          minMedMax(all.stream().mapToDouble(Takeover::exitMillis).sorted().toArray()));
    }
    System.out.printf("%nThe holder's keeper process killed, frozen or starved, its host, link and service up (a second host asks ARP every 20 ms)%n");
    System.out.println("| keeper | fault | new holder answers after | two MACs answering (ms) | old node answered after takeover | client flip-backs |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (Result r : results) {
      for (String fault : PROCESS_FAULTS) {
        List<ProcessFault> runsOf = r.faults().stream().filter(f -> f.fault().equals(fault)).toList();
        System.out.printf("| %s | %s | %s | %s | %d | %d |%n", r.keeper(), fault,
            stats(runsOf.stream().map(ProcessFault::takeover).toList(), Takeover::takeoverMillis),
            minMedMax(runsOf.stream().mapToDouble(ProcessFault::twoMacsMs).sorted().toArray()),
            runsOf.stream().mapToLong(f -> f.takeover().answersFromOldAfterNew()).sum(), runsOf.stream().mapToInt(ProcessFault::flipBacks).sum());
      }
    }
    System.out.println();
    for (Result r : results) {
      if (r.phases().isEmpty()) continue;
      System.out.println(r.keeper() + ", takeovers by path, median ms per phase (from the deciders' takeover events): " + r.phases()
          + "; claim to first answer " + phase(r, Takeover::firstAnswer, Takeover::claimed));
    }
  }

  private static String minMedMax(double[] v) {
    return v.length == 0 ? "none" : String.format("%.0f / %.0f / %.0f", v[0], v[v.length / 2], v[v.length - 1]);
  }

  static String stats(List<Takeover> takeovers, ToDoubleFunction<Takeover> f) {
    double[] v = takeovers.stream().filter(Takeover::tookOver).mapToDouble(f).sorted().toArray();
    if (v.length == 0) return takeovers.isEmpty() ? "none" : "none (" + takeovers.size() + " without takeover)";
    String failed = v.length < takeovers.size() ? " (" + (takeovers.size() - v.length) + " without takeover)" : "";
    return String.format("%.0f / %.0f / %.0f%s", v[0], v[v.length / 2], v[v.length - 1], failed);
  }

  private static String phase(Result r, Function<Takeover, OptionalLong> end, Function<Takeover, OptionalLong> start) {
    double[] v = r.crashes().stream()
        .filter(t -> end.apply(t).isPresent() && (start == null || start.apply(t).isPresent()))
        .mapToDouble(t -> (end.apply(t).getAsLong() - (start == null ? t.faultNanos() : start.apply(t).getAsLong())) / 1e6)
        .sorted().toArray();
    return v.length == 0 ? "n/a" : String.format("%.0f", v[v.length / 2]);
  }
}
