package io.vipkeeper.lab.programs;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** The scale benchmark's lines: one per run as it ends, then the table over the runs. */
final class ScaleReport {

  private ScaleReport() {}

  static void printRun(ScaleRun.Outcome o) {
    double[] m = o.millis();
    System.out.printf("    groups per node before %s; n%d killed, held %d addresses; client knew %d of them before%n",
        o.groupsBefore(), o.victim(), o.moved(), o.clientKnew());
    System.out.printf("    moved %d of %d: %s; not moved: %s%n", m.length, o.moved(),
        m.length == 0 ? "none" : String.format("%.0f / %.0f / %.0f ms", m[0], m[m.length / 2], m[m.length - 1]),
        o.missing().isEmpty() ? "none" : o.missing());
    System.out.printf("    after: groups per node %s (0 = nowhere), held by two survivors: %d; first burst %d frames in %.0f ms%n",
        o.groupsAfter(), o.doubleHeldAfter(), o.frames(), o.burstMillis());
  }

  static void printSummary(LocalDate day, int groups, Map<String, List<ScaleRun.Outcome>> outcomes) {
    System.out.printf("%nScale benchmark, %s, %d cores: %d groups, %d addresses on 3 nodes; kill -9 and link down of the node"
        + " holding the most; per keeper, min / median / max over the runs%n", day, Runtime.getRuntime().availableProcessors(),
        groups, groups * 10);
    System.out.println("| keeper | runs | addresses moved | median per run, ms | slowest per run, ms | not moved | held by two after"
        + " | frames in the first burst |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    outcomes.forEach((keeper, runs) -> System.out.printf("| %s | %d | %s | %s | %s | %s | %s | %s |%n", keeper, runs.size(),
        spread(runs.stream().mapToDouble(ScaleRun.Outcome::moved).toArray(), "%.0f"),
        spread(runs.stream().filter(r -> r.millis().length > 0).mapToDouble(r -> r.millis()[r.millis().length / 2]).toArray(), "%.0f"),
        spread(runs.stream().filter(r -> r.millis().length > 0).mapToDouble(r -> r.millis()[r.millis().length - 1]).toArray(), "%.0f"),
        runs.stream().mapToInt(r -> r.moved() - r.millis().length).sum(),
        runs.stream().mapToInt(ScaleRun.Outcome::doubleHeldAfter).sum(),
        spread(runs.stream().mapToDouble(ScaleRun.Outcome::frames).toArray(), "%.0f")));
  }

  private static String spread(double[] values, String format) {
    if (values.length == 0) return "none";
    double[] v = ScaleBench.sorted(values);
    return String.format(format + " / " + format + " / " + format, v[0], v[v.length / 2], v[v.length - 1]);
  }
}
