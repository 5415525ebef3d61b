package io.vipkeeper.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.concurrent.locks.LockSupport;

/**
 * A namespace lab with keepers on its nodes, the service behind the VIP, a client probing it and
 * kernel watches on every node: faults are made here and measured from outside. Close kills
 * every process and removes every namespace, also after a failure.
 */
public final class FailoverLab implements AutoCloseable {

  private final Lab lab;
  private final int count;
  private final Nodes nodes;
  private final Responders responders;
  private final List<Watch> watches = new ArrayList<>();
  /** The IPv6 VIP's address events (a dual-stack group); overlap is judged per address. */
  private final List<Watch> watches6 = new ArrayList<>();
  private final Ownership ownership;
  private final long anchorNanos = System.nanoTime();
  private final long anchorMillis = System.currentTimeMillis();
  private Probe probe;
  private Watch neighbours;

  private FailoverLab(Lab lab, int count, Nodes nodes) {
    this.lab = lab;
    this.count = count;
    this.nodes = nodes;
    this.responders = new Responders(lab, LabAddresses.VIP);
    this.ownership = new Ownership(count);
  }

  /** Brings a lab up and starts its watches; {@code kind} makes the keepers for it. */
  public static FailoverLab up(String prefix, int count, Function<Lab, Nodes> kind) throws Exception {
    return up(prefix, count, 1, kind);
  }

  /** With {@code clients} client namespaces; c1 runs the probe, the others are free for a scenario. */
  public static FailoverLab up(String prefix, int count, int clients, Function<Lab, Nodes> kind) throws Exception {
    Lab lab = Lab.up(prefix, count, clients);
    FailoverLab failover = null;
    try {
      failover = new FailoverLab(lab, count, kind.apply(lab));
      for (int i = 1; i <= count; i++) {
        failover.watches.add(Watch.start(lab, "n" + i, "address", " " + LabAddresses.VIP + "/"));
        failover.watches6.add(Watch.start(lab, "n" + i, "address", " " + LabAddresses.VIP6 + "/"));
      }
      failover.neighbours = Watch.start(lab, "c1", "neigh", LabAddresses.VIP + " ");
      return failover;
    } catch (Exception e) {
      if (failover != null) failover.close(); else lab.close();
      throw e;
    }
  }

  public static Path logDir(String name) {
    return Path.of(System.getProperty("vipkeeper.lab.logs", "target/lab-logs"), name);
  }

  public Lab lab() {
    return lab;
  }

  public Nodes nodes() {
    return nodes;
  }

  /** Starts every node's service and keeper, then the client probe (every 5 ms, at most 20 min). */
  public void startAll() throws Exception {
    startFirst(count);
  }

  /** Starts nodes 1..{@code n} only (the others stay free for a scenario) and the client probe. */
  public void startFirst(int n) throws Exception {
    for (int i = 1; i <= n; i++) {
      responders.start("n" + i);
      nodes.start(i);
    }
    probe = Probe.start(lab, "c1", LabAddresses.VIP, 5, 1200);
  }

  /** Nodes whose kernel holds the VIP now, on eth0 or a vmac link (link state aside). */
  public List<Integer> holders() {
    List<Integer> holders = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      if (lab.exec("n" + i, "ip", "-o", "addr", "show").contains("inet " + LabAddresses.VIP + "/")) holders.add(i);
    }
    return holders;
  }

  /** Waits until all nodes joined and exactly one live node holds the VIP and answers; returns it or -1. */
  public int awaitSingleHolder(Duration limit) throws InterruptedException {
    long since = System.nanoTime();
    int[] found = {-1};
    // The holder seen by the check that passed: reading the kernels again could see a move under way.
    boolean ok = await(limit, () -> {
      if (!nodes.formed()) return false;
      List<Integer> h = holders();
      h.removeIf(ownership::isDown);
      if (h.size() != 1 || !answeredSince("n" + h.get(0), since)) return false;
      found[0] = h.get(0);
      return true;
    });
    return ok ? found[0] : -1;
  }

  /** A machine lost: its keeper killed (SIGKILL), its link down, its service gone. */
  public Takeover crash(int node, Duration limit) throws Exception {
    String before = clientNeighbour();
    long fault = System.nanoTime();
    nodes.crash(node);
    lab.link("n" + node, false);
    responders.stop("n" + node);
    ownership.down(node, fault);
    return measure("kill -9 " + node(node) + " and link down", node, fault, before, limit, 0);
  }

  /** The keeper's JVM killed (SIGKILL) while its host runs on: link, kernel and service stay up. */
  public Takeover kill(int node, Duration limit) throws Exception {
    String before = clientNeighbour();
    long fault = System.nanoTime();
    nodes.crash(node);
    ownership.down(node, fault);
    return measure("kill -9 of " + node(node) + "'s keeper, link up", node, fault, before, limit, 0);
  }

  /** The keeper's JVM stopped (SIGSTOP) for {@code pause}, then continued: a long GC pause or a VM stun. */
  public Takeover freeze(int node, Duration pause, Duration limit) throws Exception {
    List<Long> pids = pids(node);
    return stalled(node, "SIGSTOP of " + node(node) + "'s keeper for " + pause.toMillis() + " ms", pause, limit,
        () -> pids.forEach(pid -> signal("STOP", pid)), () -> pids.forEach(pid -> signal("CONT", pid)));
  }

  /** The keeper's JVM starved of CPU for {@code pause} (a cgroup quota of 1 % of one CPU), then given it back. */
  public Takeover starve(int node, Duration pause, Duration limit) throws Exception {
    CpuStarvation starvation = new CpuStarvation(lab.prefix() + "-n" + node, pids(node));
    return stalled(node, "CPU starvation (1 % quota) of " + node(node) + "'s keeper for " + pause.toMillis() + " ms", pause, limit,
        starvation::begin, starvation::end);
  }

  /**
   * A keeper that stalls and then goes on: measured until well after it resumed, so an answer from
   * it after the takeover (a flip back) is counted. The node counts as down while it stalls.
   */
  private Takeover stalled(int node, String what, Duration pause, Duration limit, Runnable stall, Runnable resume) throws Exception {
    String before = clientNeighbour();
    long fault = System.nanoTime();
    stall.run();
    ownership.down(node, fault);
    Thread resumer = new Thread(() -> {
      LockSupport.parkNanos(pause.toNanos());
      resume.run();
    }, "resume-n" + node);
    resumer.start();
    try {
      return measure(what, node, fault, before, limit, fault + pause.toNanos() + 3_000_000_000L);
    } finally {
      resumer.join();
    }
  }

  /** Every process of the node's keeper (keepalived runs a parent and a VRRP child). */
  private List<Long> pids(int node) {
    List<Long> pids = nodes.processes(node).stream().map(ProcessHandle::pid).toList();
    if (pids.isEmpty()) throw new IllegalStateException(node(node) + " is not running");
    return pids;
  }

  private static void signal(String signal, long pid) {
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
    } catch (Exception e) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + e.getMessage(), e);
    }
  }

  /** A crash in the middle of a planned stop: SIGTERM, then after {@code delayMillis} kill -9 and link down. */
  public Takeover crashDuringStop(int node, long delayMillis, Duration limit) throws Exception {
    String before = clientNeighbour();
    long fault = System.nanoTime();
    nodes.signalStop(node);
    Thread.sleep(delayMillis);
    nodes.crash(node);
    lab.link("n" + node, false);
    responders.stop("n" + node);
    ownership.down(node, System.nanoTime());
    return measure("SIGTERM to " + node(node) + ", kill -9 " + delayMillis + " ms later", node, fault, before, limit, 0);
  }

  /** A network cut: {@code node} loses the other nodes; the client still reaches every node. */
  public Takeover cut(int node, Duration limit) throws Exception {
    String before = clientNeighbour();
    long fault = System.nanoTime();
    lab.script("cut", lab.prefix(), "n" + node);
    return measure("cut " + node(node) + " off from the other nodes", node, fault, before, limit, 0);
  }

  /** Cuts the nodes in {@code a} from those in {@code b} (e.g. "n1 n2" and "n3"). */
  public void split(String a, String b) {
    lab.script("split", lab.prefix(), a, b);
  }

  /**
   * The switch drops gratuitous ARP for {@code ips} before it learns from them, as ARP inspection
   * or an ARP rate policy does; every other frame passes. Lasts until {@link #forwardGratuitousArp}.
   */
  public void dropGratuitousArp(String... ips) {
    List<String> args = new ArrayList<>(List.of("garp-drop", lab.prefix(), "on"));
    args.addAll(List.of(ips));
    lab.script(args.toArray(String[]::new));
  }

  public void forwardGratuitousArp() {
    lab.script("garp-drop", lab.prefix(), "off");
  }

  /** Gratuitous ARP frames the switch dropped so far (0 when it drops none). */
  public long droppedGratuitousArp() {
    String rules;
    try {
      rules = lab.exec("sw", "nft", "list", "table", "bridge", "vkgarp");
    } catch (IllegalStateException none) {
      return 0;
    }
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(rules);
    long dropped = 0;
    while (m.find()) dropped += Long.parseLong(m.group(1));
    return dropped;
  }

  public void heal() {
    lab.script("heal", lab.prefix());
  }

  /**
   * Heals every cut, then plays the supervisor until every node runs, all have joined and one node
   * holds; returns that holder, or -1 after {@code limit}. A node that downed itself is started
   * again once its JVM is gone (its shutdown on broken links can take seconds). So is a majority
   * node the resolver downed as "indirectly connected" (Pekko's rule) because the heal landed just
   * before its decision and showed it both sides' observations.
   */
  public int healAndRejoin(Duration limit) throws Exception {
    heal();
    Thread.sleep(3000); // the resolver decides stable-after + up to its 1 s tick after detection
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      for (int i = 1; i <= count; i++) if (!nodes.running(i)) rejoin(i);
      if (await(Duration.ofSeconds(5), () -> allRunning() && nodes.formed() && holders().size() == 1)) return holders().get(0);
    }
    return -1;
  }

  private boolean allRunning() {
    return IntStream.rangeClosed(1, count).allMatch(nodes::running);
  }

  /** Starts a node that was left out by {@link #startFirst}: its service, then its keeper. */
  public void startLater(int node) throws Exception {
    responders.start("n" + node);
    nodes.start(node);
    ownership.up(node, System.nanoTime());
  }

  /**
   * After a stall (freeze, starvation): a node the cluster downed meanwhile shuts itself down, which
   * takes a moment, and is started again; otherwise it is a live node again. {@code logBefore}: the
   * length of its log when the stall began.
   */
  public void afterStall(int node, int logBefore) throws Exception {
    String since = nodes.log(node).substring(Math.min(logBefore, nodes.log(node).length()));
    if (since.contains("Node has been marked as DOWN") || since.contains("Shutting down myself")) {
      if (!await(Duration.ofSeconds(30), () -> !nodes.running(node))) throw new IllegalStateException("n" + node + " was downed but does not exit");
      rejoin(node);
    } else if (nodes.running(node)) {
      resumed(node);
    } else {
      rejoin(node);
    }
  }

  /** A stalled keeper that came back on its own counts as a live node again. */
  public void resumed(int node) {
    ownership.up(node, System.nanoTime());
  }

  /** Alternations A, B, A among the answers after {@code sinceNanos}: the client went back to an old holder. */
  public int flipBacksSince(long sinceNanos) {
    List<Probe.Answer> answers = probe.answers().stream().filter(a -> a.nanos() > sinceNanos).toList();
    int flips = 0;
    for (int k = 2; k < answers.size(); k++) {
      String a = answers.get(k - 2).node(), b = answers.get(k - 1).node(), c = answers.get(k).node();
      if (!a.equals(b) && a.equals(c)) flips++;
    }
    return flips;
  }

  /** Starts the keeper again on a node whose keeper exited (e.g. it downed itself), link up. */
  public void rejoin(int node) throws Exception {
    nodes.start(node);
    ownership.up(node, System.nanoTime());
  }

  /** Every claim the nodes logged, in the order they happened: node, epoch, time (nanos). */
  public List<Claim> claims() {
    List<Claim> claims = new ArrayList<>();
    Pattern claimed = Pattern.compile("CLAIMED group=\\S+ epoch=(\\d+)");
    for (int i = 1; i <= count; i++) {
      for (String line : nodes.log(i).split("\n")) {
        OptionalLong time = LogTime.millis(line);
        Matcher m = claimed.matcher(line);
        if (time.isPresent() && m.find()) claims.add(new Claim("n" + i, Long.parseLong(m.group(1)), toNanos(time.getAsLong())));
      }
    }
    claims.sort((x, y) -> Long.compare(x.nanos(), y.nanos()));
    return claims;
  }

  /** One CLAIMED line of a node's log. */
  public record Claim(String node, long epoch, long nanos) {}

  /** A planned stop: SIGTERM to the keeper, which releases and hands over. */
  public Takeover stop(int node, Duration limit) throws Exception {
    String before = clientNeighbour();
    long fault = System.nanoTime();
    nodes.stop(node);
    long exited = System.nanoTime();
    ownership.down(node, exited);
    return measure("SIGTERM to " + node(node), node, fault, before, limit, 0).withExited(exited);
  }

  /**
   * The node comes back: its keeper starts while its link is still down, so a VIP left in its
   * kernel is removed before it can answer (start-up reconcile), then the link comes up.
   */
  private static final Duration REJOIN = Duration.ofSeconds(45);

  public boolean restart(int node, Duration reconcileLimit) throws Exception {
    int logBefore = nodes.log(node).length();
    nodes.start(node);
    boolean clean = await(reconcileLimit, () -> !holders().contains(node));
    // ip monitor stamps an event when it prints it: on a loaded machine after the kernel state we
    // polled. The node counts as live only after its watch showed the removal, not before.
    if (clean) await(reconcileLimit, () -> !watchedHolding(node));
    lab.link("n" + node, true);
    responders.start("n" + node);
    ownership.up(node, System.nanoTime());
    // Back as a voter (its ledger caught up and listed), as an operator waits before the next step.
    if (nodes instanceof VipkeeperNodes && !await(REJOIN, () -> nodes.log(node).indexOf("LEDGER LISTED", logBefore) >= 0)) {
      throw new IllegalStateException("n" + node + " did not rejoin as a voter within " + REJOIN.toSeconds() + " s:\n" + report());
    }
    return clean;
  }

  /**
   * The longest time two live nodes held the VIP (IPv4 or IPv6) at once, from the kernel watches
   * (ms). A watch that died cannot say: that is an error, not zero.
   */
  public double maxOverlapMillis() {
    List<Watch> all = new ArrayList<>(watches);
    all.addAll(watches6);
    for (Watch w : all) if (!w.alive()) throw new IllegalStateException("an ip monitor of the lab died: the overlap is unknown");
    return Math.max(ownership.maxOverlapNanos(allAddressEvents()), ownership.maxOverlapNanos(sorted(watches6))) / 1e6;
  }

  /**
   * The longest the client went without an answer in [{@code from}, {@code to}] (nanoTime), in ms:
   * whoever answered, the VIP was reachable again after at most this long.
   */
  public double longestSilenceMillis(long from, long to) {
    long last = from;
    long longest = 0;
    for (Probe.Answer a : probe.answers()) {
      if (a.nanos() <= from || a.nanos() > to) continue;
      longest = Math.max(longest, a.nanos() - last);
      last = a.nanos();
    }
    return Math.max(longest, to - last) / 1e6;
  }

  /** Answer alternations A, B, A: the client talked to two holders in turn. */
  public int flipBacks() {
    List<Probe.Answer> answers = probe.answers();
    int flips = 0;
    for (int k = 2; k < answers.size(); k++) {
      String a = answers.get(k - 2).node(), b = answers.get(k - 1).node(), c = answers.get(k).node();
      if (!a.equals(b) && a.equals(c)) flips++;
    }
    return flips;
  }

  public List<Probe.Answer> answers() {
    return probe.answers();
  }

  public String clientNeighbour() {
    String line = lab.exec("c1", "ip", "neigh", "show", LabAddresses.VIP, "dev", "eth0").trim();
    Matcher m = Pattern.compile("lladdr (\\S+)").matcher(line);
    return m.find() ? m.group(1) + " (" + LabAddresses.nodeOfMac(m.group(1)) + ", " + line.substring(line.lastIndexOf(' ') + 1) + ")" : "(none)";
  }

  /** {@code settleNanos}: read the outcome no earlier than this (0: 1.5 s after the takeover). */
  private Takeover measure(String fault, int from, long faultNanos, String before, Duration limit, long settleNanos) throws InterruptedException {
    await(limit, () -> firstAnswerAfter(faultNanos, "n" + from).isPresent());
    OptionalLong first = firstAnswerAfter(faultNanos, "n" + from);
    String to = first.isPresent() ? answerAt(first.getAsLong()) : "(nobody)";
    Thread.sleep(1500); // let the announcement burst finish before reading the client's entry
    LockSupport.parkNanos(settleNanos - System.nanoTime());
    List<Probe.Answer> answers = probe.answers();
    long lastBefore = answers.stream().filter(a -> first.isEmpty() || a.nanos() < first.getAsLong())
        .mapToLong(Probe.Answer::nanos).max().orElse(faultNanos);
    long oldAfter = answers.stream().filter(a -> first.isPresent() && a.nanos() > first.getAsLong() && a.node().equals("n" + from)).count();
    String toMac = to.startsWith("n") ? LabAddresses.nodeMac(Integer.parseInt(to.substring(1))) : "-";
    return new Takeover(nodes.label(), fault, "n" + from, to, faultNanos,
        logMark(faultNanos, "Marking node as UNREACHABLE [Member(pekko://vipkeeper@" + LabAddresses.nodeIp(from)),
        logMark(faultNanos, "SBR took decision"),
        kernelEvent(faultNanos, "n" + from, true),
        kernelEvent(faultNanos, to, false),
        first, lastBefore, oldAfter, before, clientNeighbour(),
        neighbours.events().stream().filter(e -> e.nanos() > faultNanos && e.line().contains(toMac)).mapToLong(Watch.Event::nanos).findFirst(),
        OptionalLong.empty());
  }

  private OptionalLong firstAnswerAfter(long nanos, String exceptNode) {
    return probe.answers().stream().filter(a -> a.nanos() > nanos && !a.node().equals(exceptNode)).mapToLong(Probe.Answer::nanos).findFirst();
  }

  private boolean answeredSince(String node, long nanos) {
    return probe.answers().stream().anyMatch(a -> a.nanos() > nanos && a.node().equals(node));
  }

  private String answerAt(long nanos) {
    return probe.answers().stream().filter(a -> a.nanos() == nanos).findFirst().map(Probe.Answer::node).orElse("?");
  }

  private OptionalLong kernelEvent(long after, String host, boolean deleted) {
    return allAddressEvents().stream()
        .filter(e -> e.host().equals(host) && e.nanos() > after && e.line().startsWith("Deleted") == deleted)
        .mapToLong(Watch.Event::nanos).findFirst();
  }

  /** Whether the node's last IPv4 address event is an add. */
  private boolean watchedHolding(int node) {
    List<Watch.Event> own = watches.get(node - 1).events();
    return !own.isEmpty() && !own.get(own.size() - 1).line().startsWith("Deleted");
  }

  private List<Watch.Event> allAddressEvents() {
    return sorted(watches);
  }

  private static List<Watch.Event> sorted(List<Watch> watches) {
    List<Watch.Event> all = new ArrayList<>();
    watches.forEach(w -> all.addAll(w.events()));
    all.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
    return all;
  }

  /** The node that started a group's singleton last, as the node logs say: where the decider runs. */
  public int singletonNode() {
    int node = -1;
    long latest = Long.MIN_VALUE;
    for (int i = 1; i <= count; i++) {
      for (String line : nodes.log(i).split("\n")) {
        OptionalLong time = LogTime.millis(line);
        if (!line.contains("DECIDER group=") || time.isEmpty()) continue;
        long nanos = toNanos(time.getAsLong());
        if (nanos >= latest) {
          latest = nanos;
          node = i;
        }
      }
    }
    return node;
  }

  /** The first line after {@code after} in any node's log that contains {@code text}. */
  private OptionalLong logMark(long after, String text) {
    long best = Long.MAX_VALUE;
    for (int i = 1; i <= count; i++) {
      for (String line : nodes.log(i).split("\n")) {
        OptionalLong time = LogTime.millis(line);
        if (!line.contains(text) || time.isEmpty()) continue;
        long nanos = toNanos(time.getAsLong());
        if (nanos > after && nanos < best) best = nanos;
      }
    }
    return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
  }

  private long toNanos(long millis) {
    return anchorNanos + (millis - anchorMillis) * 1_000_000;
  }

  private static String node(int i) {
    return "n" + i;
  }

  public static boolean await(Duration limit, BooleanSupplier check) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      if (check.getAsBoolean()) return true;
      Thread.sleep(50);
    }
    return check.getAsBoolean();
  }

  /** Holders, neighbour entry and each node's last log lines: what a failing test prints. */
  public String report() {
    StringBuilder out = new StringBuilder();
    try {
      out.append("holders=").append(holders()).append(" client=").append(clientNeighbour()).append('\n');
    } catch (RuntimeException e) {
      out.append("(lab state unreadable: ").append(e.getMessage()).append(")\n");
    }
    for (Watch.Event e : allAddressEvents()) out.append(String.format("  kernel %s +%.0f ms %s%n", e.host(), (e.nanos() - anchorNanos) / 1e6, e.line()));
    ownership.outages(anchorNanos).forEach(line -> out.append("  ").append(line).append('\n'));
    Ownership.Overlap overlap = ownership.longestOverlap(allAddressEvents());
    if (overlap.nanos() > 0) out.append(String.format("  two live holders (IPv4) from +%.0f ms for %.1f ms%n", (overlap.fromNanos() - anchorNanos) / 1e6, overlap.nanos() / 1e6));
    for (int i = 1; i <= count; i++) {
      String[] lines = nodes.log(i).split("\n");
      out.append("--- n").append(i).append(" last lines:\n");
      for (int k = Math.max(0, lines.length - 20); k < lines.length; k++) out.append(lines[k]).append('\n');
    }
    return out.toString();
  }

  @Override
  public void close() {
    try {
      if (probe != null) probe.close();
      responders.close();
    } catch (Exception ignored) {
      // closing anyway
    }
    nodes.close();
    watches.forEach(Watch::close);
    watches6.forEach(Watch::close);
    if (neighbours != null) neighbours.close();
    lab.close();
  }
}
