package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vipkeeper.lab.Lab;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.nio.file.Files;
import java.util.HashMap;

/** The real daemon, started wrongly: one clear line, a non-zero exit, before it joins anything. */
class BadInputTest {

  private static Lab lab;

  @BeforeAll
  static void up() {
    assumeTrue(Lab.canRun(), "needs root and iproute2 for the namespace lab");
    lab = Lab.up(Lab.prefix("vkbi"), 1, 0);
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  private static final Map<String, String> GOOD = Map.of(
      "VIPKEEPER_NODE_HOST", "198.18.0.11", "VIPKEEPER_SEED_NODES", "198.18.0.11:25520", "VIPKEEPER_NODE_NAME", "n1",
      "VIPKEEPER_INTERFACE", "eth0", "VIPKEEPER_VIPS", "198.18.0.50/24",
      "VIPKEEPER_TLS_DIR", LabCerts.cluster().toAbsolutePath().toString());

  record Outcome(int exit, String output) {}

  private static Outcome run(Map<String, String> env, List<String> prefix, List<String> jvmArgs, String... args) throws Exception {
    Process p = builder(env, prefix, jvmArgs, args).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the node should exit by itself");
    return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static ProcessBuilder builder(Map<String, String> env, List<String> prefix, List<String> jvmArgs, String... args) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.ns("n1")));
    command.addAll(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", NodeProcess.nodeJar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    return builder;
  }

  private static Outcome run(Map<String, String> overrides) throws Exception {
    Map<String, String> env = new HashMap<>(GOOD);
    env.putAll(overrides);
    env.values().removeIf(String::isEmpty);
    return run(env, List.of(), List.of());
  }

  @Test
  void badVipAddress() throws Exception {
    Outcome o = run(Map.of("VIPKEEPER_VIPS", "198.18.0.500/24"));
    assertEquals(2, o.exit(), o.output());
    assertTrue(o.output().contains("vipkeeper.groups.vip: '198.18.0.500' is not an IPv4 or IPv6 address"), o.output());
    assertFalse(o.output().contains("Cluster Node"), "nothing joined: " + o.output());
  }

  @Test
  void noSeedNodes() throws Exception {
    Outcome o = run(Map.of("VIPKEEPER_SEED_NODES", ""));
    assertEquals(2, o.exit(), o.output());
    assertTrue(o.output().contains("no seed nodes: set VIPKEEPER_SEED_NODES"), o.output());
  }

  @Test
  void unknownInterface() throws Exception {
    Outcome o = run(Map.of("VIPKEEPER_INTERFACE", "eth9"));
    assertEquals(3, o.exit(), o.output());
    assertTrue(o.output().contains("interface 'eth9' does not exist"), o.output());
  }

  @Test
  void missingPrivilegesAreNamed() throws Exception {
    Map<String, String> env = new HashMap<>(GOOD);
    Path data = Path.of("/tmp/vipkeeper-nobody-" + ProcessHandle.current().pid()); // writable for uid 65534
    env.put("VIPKEEPER_DATA_DIR", data.toString());
    // The certificates are root's (mode 600): plain TCP here, so the check under test is reached.
    env.remove("VIPKEEPER_TLS_DIR");
    env.put("VIPKEEPER_INSECURE", "on");
    Outcome o = run(env, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
        "--bounding-set=-all"), List.of("-Duser.home=/tmp"));
    assertEquals(3, o.exit(), o.output());
    assertTrue(o.output().contains("missing capabilities CAP_NET_ADMIN and CAP_NET_RAW"), o.output());
    Files.deleteIfExists(data.resolve("vipkeeper.lock")); // taken before the check: one node per data-dir
    Files.deleteIfExists(data);
  }

  @Test
  void missingLibpcapSaysWhatToInstall() throws Exception {
    Outcome o = run(GOOD, List.of(), List.of("-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.0.8"));
    assertEquals(3, o.exit(), o.output());
    assertTrue(o.output().contains("libpcap is not installed (apt-get install libpcap0.8)"), o.output());
  }

  @Test
  void corruptJournalMeansNoClaimAndSaysWhy() throws Exception {
    Path data = Path.of(System.getProperty("vipkeeper.lab.logs", "target/lab-logs"), "corrupt-journal").toAbsolutePath();
    Files.createDirectories(data);
    Files.write(data.resolve("epochs.mv.db"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    List<String> command = List.of("ip", "netns", "exec", lab.ns("n1"), "timeout", "-s", "TERM", "25",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        NodeProcess.nodeJar().toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(GOOD);
    builder.environment().put("VIPKEEPER_DATA_DIR", data.toString());
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    assertTrue(out.contains("OBSERVER: epoch journal unreadable"), out);
    assertTrue(out.contains("if it stays, fix or move vipkeeper.data-dir (" + data + ")"), out);
    assertTrue(out.contains("OBSERVER: epoch journal unreadable") && out.contains("(retry 1)"), "it tries the journal again: " + out);
    assertFalse(out.contains("CLAIMED group=vip"), "a node that cannot read its epochs must not claim: " + out);
  }

  /**
   * A second node on the host while one runs (a hand-run copy beside the service): with the same
   * data-dir, or another configuration on the same interface, it refuses before it touches the
   * kernel, and so does --release-all; the first node's VIP stays. (The second used to remove it as
   * a leftover of an earlier run.)
   */
  @Test
  void aSecondNodeOnTheSameDataDirRefusesAndLeavesTheRunningNodesVip() throws Exception {
    Path data = Files.createTempDirectory("vipkeeper-twice");
    Map<String, String> env = new HashMap<>(GOOD);
    env.put("VIPKEEPER_DATA_DIR", data.toString());
    Path log = data.resolve("first.log");
    Process first = builder(env, List.of(), List.of()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertTrue(FailoverLab.await(Duration.ofSeconds(60), BadInputTest::vipInKernel), "the first node claims: " + read(log));
      Outcome second = run(env, List.of(), List.of());
      assertEquals(2, second.exit(), second.output());
      assertTrue(second.output().contains("another vipkeeper node (pid " + first.pid() + ") runs with data-dir " + data), second.output());
      Outcome release = run(env, List.of(), List.of(), "--release-all");
      assertEquals(2, release.exit(), release.output());
      assertTrue(release.output().contains("--release-all is for a node that is gone"), release.output());
      // Another configuration on the same interface (another data-dir and cluster port), and its --release-all.
      Map<String, String> elsewhere = new HashMap<>(env);
      elsewhere.put("VIPKEEPER_DATA_DIR", data.resolve("elsewhere").toString());
      elsewhere.put("VIPKEEPER_NODE_PORT", "25521");
      elsewhere.put("VIPKEEPER_SEED_NODES", "198.18.0.11:25521");
      for (String[] args : List.of(new String[0], new String[] {"--release-all"})) {
        Outcome copy = run(elsewhere, List.of(), List.of(), args);
        assertEquals(3, copy.exit(), copy.output());
        assertTrue(copy.output().contains("another vipkeeper process keeps VIPs on eth0 in this network namespace"), copy.output());
      }
      assertTrue(first.isAlive() && vipInKernel(), "the running node and its VIP are untouched: " + read(log));
    } finally {
      first.destroy();
      assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the first node stops on SIGTERM");
    }
    assertFalse(vipInKernel(), "its shutdown released the VIP: " + read(log));
  }

  private static boolean vipInKernel() {
    return lab.exec("n1", "ip", "-o", "addr", "show", "dev", "eth0").contains("198.18.0.50/24");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void releaseAllRemovesWhatAKilledNodeLeftBehind() throws Exception {
    lab.exec("n1", "ip", "addr", "add", "198.18.0.50/24", "dev", "eth0"); // as a SIGKILLed holder leaves it
    Map<String, String> env = new HashMap<>(GOOD);
    env.put("VIPKEEPER_DATA_DIR", Path.of(System.getProperty("vipkeeper.lab.logs", "target/lab-logs"), "release-all").toAbsolutePath().toString());
    assertTrue(lab.exec("n1", "ip", "-o", "addr", "show", "dev", "eth0").contains("198.18.0.50/24"), "precondition");
    List<String> command = List.of("ip", "netns", "exec", lab.ns("n1"), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", NodeProcess.nodeJar().toString(), "--release-all");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("RELEASED group=vip addresses=[198.18.0.50/24] from eth0 by --release-all"), out);
    assertFalse(lab.exec("n1", "ip", "-o", "addr", "show", "dev", "eth0").contains("198.18.0.50/24"), "the VIP is gone");
  }

  @Test
  void vipOutsideTheSubnetIsAWarningNotAnError() throws Exception {
    // Start for real with a VIP in another /24; once it claimed, stop it: the warning came at start.
    List<String> command = List.of("ip", "netns", "exec", lab.ns("n1"),
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        NodeProcess.nodeJar().toString());
    // Output to a file: a pipe read while the process exits can lose its last lines.
    Path log = Files.createTempFile("vk-subnet", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(GOOD);
    builder.environment().put("VIPKEEPER_VIPS", "198.18.1.50/24");
    Process p = builder.start();
    try {
      boolean claimed = FailoverLab.await(java.time.Duration.ofSeconds(60), () -> read(log).contains("CLAIMED group=vip"));
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "it stops on SIGTERM");
      String out = read(log);
      assertTrue(out.contains("VIP 198.18.1.50/24 is outside every subnet on eth0"), out);
      assertTrue(claimed, "it still runs and claims: " + out);
      assertTrue(out.contains("RELEASED group=vip"), "and releases on SIGTERM: " + out);
    } finally {
      p.destroyForcibly();
    }
  }
}
