package io.vipkeeper.lab;

import java.time.Duration;

/**
 * The README's main command: a 3-node lab with real vipkeeper JVMs and a client, then a crash of
 * the holder and a planned handover, each with its timeline; the lab is removed at the end.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) throws Exception {
    String prefix = "vkd" + ProcessHandle.current().pid() % 1000;
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

      say("the crashed node comes back: its JVM removes the stale VIP before its link is up");
      boolean clean = lab.restart(holder, Duration.ofSeconds(30));
      say("stale VIP removed: %s; the VIP stays on %s (no flapping)", clean, crash.to());
      Thread.sleep(8000);

      int current = Integer.parseInt(crash.to().substring(1));
      say("planned handover: SIGTERM to n%d", current);
      print(lab.stop(current, Duration.ofSeconds(30)));
      say("never two holders: longest overlap %.0f ms; the client never flipped back (%d flips); %d answers in all",
          lab.maxOverlapMillis(), lab.flipBacks(), lab.answers().size());
      say("node logs: %s", FailoverLab.logDir("demo").toAbsolutePath());
    }
    say("lab '%s' removed", prefix);
  }

  private static void print(Takeover t) {
    t.timeline().forEach(line -> System.out.println("    " + line));
  }

  private static void say(String format, Object... args) {
    System.out.println("==> " + String.format(format, args));
  }
}
