package io.vipkeeper.lab.programs;

import io.vipkeeper.lab.*;

import java.time.Duration;

/**
 * The README's main command: a 3-node lab with real vipkeeper JVMs and a client, then a crash of
 * the holder and a planned handover, each with its timeline; the lab is removed at the end.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) throws Exception {
    String prefix = Lab.prefix("vkd");
    say("bringing up lab '%s': switch, nodes n1-n3 (198.18.0.11-13), client c1 (198.18.0.100), VIP %s",
        prefix, LabAddresses.VIP);
    try (FailoverLab lab = FailoverLab.up(prefix, 3, l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("demo")))) {
      Runtime.getRuntime().addShutdownHook(new Thread(lab::close));
      lab.startAll();
      say("started three vipkeeper JVMs; waiting for the cluster to place the VIP");
      int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
      if (holder < 0) throw new IllegalStateException("no holder within 60 s:\n" + lab.report());
      say("n%d holds %s; the client's neighbour entry: %s; %d answers so far, all from n%d",
          holder, LabAddresses.VIP, lab.clientNeighbour(), lab.answers().size(), holder);

      say("crash: kill -9 the holder's JVM and pull its cable");
      Takeover crash = lab.crash(holder, Duration.ofSeconds(30));
      print(crash);
      if (!crash.tookOver()) throw new IllegalStateException("no takeover:\n" + lab.report());
      check(crash.answersFromOldAfterNew() == 0, "no answer from n" + holder + " after the new holder's first");

      say("the crashed node comes back: its JVM removes the stale VIP before its link is up");
      boolean clean = lab.restart(holder, Duration.ofSeconds(30));
      check(clean, "the restarted node removed the stale VIP");
      int current = Integer.parseInt(crash.to().substring(1));
      boolean stayed = !FailoverLab.await(Duration.ofSeconds(8), () -> !lab.holders().equals(java.util.List.of(current)));
      check(stayed, "the VIP stayed on n" + current + " for 8 s after n" + holder + " came back (no flapping): holders " + lab.holders());

      say("planned handover: SIGTERM to n%d", current);
      Takeover stop = lab.stop(current, Duration.ofSeconds(30));
      print(stop);
      check(stop.tookOver(), "another node answered after the planned stop");
      check(lab.maxOverlapMillis() == 0, String.format("never two holders in the kernels (longest overlap %.0f ms)", lab.maxOverlapMillis()));
      check(lab.flipBacks() == 0, "the client never went back to an old holder (" + lab.flipBacks() + " flip-backs)");
      say("%d answers in all; node logs: %s", lab.answers().size(), FailoverLab.logDir("demo").toAbsolutePath());
    }
    say("lab '%s' removed", prefix);
    if (failed > 0) {
      say("%d check(s) FAILED (see above)", failed);
      System.exit(1);
    }
    say("every check passed");
  }

  private static int failed;

  /** Prints what was checked and whether it held; a failure makes the demo exit with 1. */
  private static void check(boolean held, String what) {
    if (!held) failed++;
    say("%s: %s", held ? "ok" : "CHECK FAILED", what);
  }

  private static void print(Takeover t) {
    t.timeline().forEach(line -> System.out.println("    " + line));
  }

  private static void say(String format, Object... args) {
    System.out.println("==> " + String.format(format, args));
  }
}
