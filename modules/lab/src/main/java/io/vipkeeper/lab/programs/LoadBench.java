package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.CpuLoad;
import io.vipkeeper.lab.FailoverLab;
import io.vipkeeper.lab.Lab;
import io.vipkeeper.lab.Probe;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a timing profile costs on a loaded machine: nothing fails, but every core runs a busy loop
 * beside the keepers for LOAD seconds. Each move the client sees then is a false one (a holder
 * suspected because it was slow, not gone). Per kind, RUNS fresh labs; prints the moves, the leases
 * lost, the client's longest silence and the longest time two kernels held the VIP, min / median / max.
 * Usage: LoadBench [RUNS] [KINDS] [SECONDS] [LOOPS] — default 3 runs of default,fast,ka0.1 under 45 s of
 * load, LOOPS busy loops per core (default 1).
 */
public final class LoadBench {

  private static final Pattern LEASE_LOST = Pattern.compile("LEASE LOST");

  private LoadBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String kinds = args.length > 1 ? args[1] : "default,fast,ka0.1";
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 45;
    int loops = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    List<String> rows = new ArrayList<>();
    for (String kind : kinds.split(",")) {
      List<double[]> samples = new ArrayList<>();
      String label = kind;
      for (int r = 0; r < runs; r++) {
        Path logs = FailoverLab.logDir("load").resolve("run-" + (r + 1)); // each run's logs kept, a false move's among them
        try (FailoverLab lab = FailoverLab.up(Lab.prefix("vkbl"), 3, 1, Bench.kind(kind.trim(), logs))) {
          label = lab.nodes().label();
          samples.add(underLoad(lab, seconds, loops));
          double[] s = samples.get(r);
          System.out.printf("    %-40s moves %.0f, leases lost %.0f, longest silence %.0f ms, two kernels %.0f ms%n", label, s[0], s[1], s[2], s[3]);
        }
      }
      rows.add(String.format("| %s | %s | %s | %s ms | %s ms |", label, Bench.column(samples, 0, "%.0f"),
          Bench.column(samples, 1, "%.0f"), Bench.column(samples, 2, "%.0f"), Bench.column(samples, 3, "%.0f")));
    }
    System.out.printf("%nUnder load, %s, %d cores: %d busy loop(s) per core for %d s beside three nodes, nothing failed; %d labs each (min / median / max)%n",
        LocalDate.now(), Runtime.getRuntime().availableProcessors(), loops, seconds, runs);
    System.out.println("| keeper | moves the client saw | leases lost | client's longest silence | two kernels held the VIP |");
    System.out.println("| --- | --- | --- | --- | --- |");
    rows.forEach(System.out::println);
  }

  /** One lab: settle, load every core, count what moved; {moves, leases lost, longest silence, overlap}. */
  private static double[] underLoad(FailoverLab lab, int seconds, int loops) throws Exception {
    lab.startAll();
    Bench.awaitHolder(lab);
    Thread.sleep(3000);
    int[] logged = new int[3];
    for (int i = 1; i <= 3; i++) logged[i - 1] = lab.nodes().log(i).length();
    long from = System.nanoTime();
    try (CpuLoad load = CpuLoad.start(seconds, loops)) {
      Thread.sleep(seconds * 1000L);
    }
    long to = System.nanoTime();
    Thread.sleep(2000); // a move under way at the end is seen, and counted
    int leasesLost = 0;
    for (int i = 1; i <= 3; i++) leasesLost += count(LEASE_LOST, lab.nodes().log(i).substring(Math.min(logged[i - 1], lab.nodes().log(i).length())));
    return new double[] {moves(lab.answers(), from, to + 2_000_000_000L), leasesLost, lab.longestSilenceMillis(from, to), lab.maxOverlapMillis()};
  }

  /** Times the answering node changed in the window. */
  private static int moves(List<Probe.Answer> answers, long from, long to) {
    int moves = 0;
    String last = null;
    for (Probe.Answer a : answers) {
      if (a.nanos() < from || a.nanos() > to) continue;
      if (last != null && !last.equals(a.node())) moves++;
      last = a.node();
    }
    return moves;
  }

  private static int count(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    int n = 0;
    while (m.find()) n++;
    return n;
  }
}
