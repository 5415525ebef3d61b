package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release artifacts as a user gets them (packaging/package.sh on the built jar): from the
 * tarball and from the .deb unpacked into a throw-away root, the launcher answers --help and
 * --version, and nodes started from it hold the VIP in the namespace lab, its kernel and all. From
 * the tarball, three nodes configured by environment variables alone start at once: they make
 * their certificates from one CA without racing and form a mutual-TLS cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagedNodeTest {

  private static final Path DIST = Path.of("target/dist").toAbsolutePath();
  private Lab lab;
  private String version;

  @BeforeAll
  void packageIt() throws Exception {
    assumeTrue(Lab.canRun(), "needs root and iproute2 for the namespace lab");
    String out = run(List.of("../packaging/package.sh", NodeProcess.nodeJar().toString(), DIST.toString()), Map.of(), 0);
    assertTrue(out.contains(".tar.gz") && out.contains(".deb"), out);
    version = NodeProcess.nodeJar().getFileName().toString().replaceAll("^vipkeeper-node-(.*)-all\\.jar$", "$1");
    lab = Lab.up(Lab.prefix("vkpk"), 3, 0);
  }

  @AfterAll
  void down() {
    if (lab != null) lab.close();
  }

  @Test
  void fromTheTarballThreeNodesConfiguredByEnvironmentAloneStartTogetherAndFormATlsCluster(@TempDir Path dir) throws Exception {
    run(List.of("tar", "-xzf", DIST.resolve("vipkeeper-" + version + ".tar.gz").toString(), "-C", dir.toString()), Map.of(), 0);
    Path home = dir.resolve("vipkeeper-" + version);
    for (String f : List.of("bin/vipkeeper", "lib/vipkeeper-node.jar", "conf/application.conf", "conf/vipkeeper.service", "LICENSE")) {
      assertTrue(Files.exists(home.resolve(f)), "the tarball has " + f);
    }
    Path launcher = home.resolve("bin/vipkeeper");
    checkCli(launcher);
    // No config file and no node name: the node's host names it, and each launcher makes its
    // node's certificate in conf/certs (one CA, made by whichever starts first).
    List<Process> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        Map<String, String> env = new HashMap<>(Map.of("VIPKEEPER_NODE_HOST", LabAddresses.nodeIp(i),
            "VIPKEEPER_SEED_NODES", LabAddresses.nodeIp(1) + ":25520," + LabAddresses.nodeIp(2) + ":25520," + LabAddresses.nodeIp(3) + ":25520",
            "VIPKEEPER_MIN_MEMBERS", "2", "VIPKEEPER_INTERFACE", "eth0", "VIPKEEPER_VIPS", LabAddresses.VIP + "/24",
            "VIPKEEPER_DATA_DIR", dir.resolve("data-n" + i).toString()));
        nodes.add(start(i, List.of(launcher.toString(), "run"), env, dir.resolve("n" + i + ".log")));
      }
      boolean formed = FailoverLab.await(Duration.ofSeconds(120), () -> upMembers() == 3 && holders().size() == 1);
      assertTrue(formed, "three Up members over TLS, one holder " + holders() + ":\n" + Files.readString(dir.resolve("n1.log"))
          + "\n" + Files.readString(dir.resolve("n2.log")));
      for (int i = 1; i <= 3; i++) {
        String log = Files.readString(dir.resolve("n" + i + ".log"));
        assertTrue(log.contains("Artery tls-tcp"), "n" + i + " speaks TLS:\n" + log);
        assertFalse(log.contains("Exception in thread \"main\""), "n" + i + " started cleanly:\n" + log);
      }
    } finally {
      for (Process p : nodes) stop(p);
    }
    assertTrue(Files.exists(home.resolve("conf/certs/trust.p12")), "the launchers made the certificates in conf/certs");
    classArchiveServes(home.resolve("lib/vipkeeper-node.jar"), home.resolve("lib/vipkeeper-node.jsa"));
  }

  /** The build's class archive, which the lab's nodes and a source tree's bin/vipkeeper run use. */
  @Test
  void theBuildsClassArchiveServesTheNodeJar() throws Exception {
    Path jar = NodeProcess.nodeJar();
    classArchiveServes(jar, jar.resolveSibling(jar.getFileName().toString().replace(".jar", ".jsa")));
  }

  /**
   * The archive maps with this jar (-Xshare:on refuses to start with one that does not: another
   * jar, another JVM build), and the node's classes are read from it.
   */
  private static void classArchiveServes(Path jar, Path archive) throws Exception {
    assertTrue(Files.isRegularFile(archive), "a class archive beside " + jar);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String out = run(List.of(java, "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info", "-jar", jar.toString(),
        "--version"), Map.of(), 0);
    for (String cls : List.of("io.vipkeeper.node.Main", "picocli.CommandLine")) {
      assertTrue(out.contains(cls + " source: shared objects file"), cls + " from the archive:\n"
          + out.lines().filter(l -> l.contains(cls)).toList());
    }
  }

  @Test
  void fromTheDebUnpackedIntoAThrowAwayRootANodeHoldsTheVip(@TempDir Path root) throws Exception {
    Path deb = DIST.resolve("vipkeeper_" + version.replace("-SNAPSHOT", "~SNAPSHOT") + "_all.deb");
    String fields = run(List.of("dpkg-deb", "-f", deb.toString(), "Package", "Version", "Depends"), Map.of(), 0);
    assertTrue(fields.contains("Package: vipkeeper") && fields.contains("libpcap0.8") && fields.contains("iproute2"), fields);
    String control = run(List.of("dpkg-deb", "-I", deb.toString(), "conffiles"), Map.of(), 0);
    assertTrue(control.contains("/etc/vipkeeper/application.conf") && control.contains("/etc/default/vipkeeper"), control);
    run(List.of("dpkg-deb", "-x", deb.toString(), root.toString()), Map.of(), 0);
    run(List.of("dpkg-deb", "-e", deb.toString(), root.resolve("DEBIAN").toString()), Map.of(), 0);
    for (String script : List.of("postinst", "prerm", "postrm")) run(List.of("sh", "-n", root.resolve("DEBIAN/" + script).toString()), Map.of(), 0);
    postinstMakesTheUserAndTheCertificateDirectory(root.resolve("DEBIAN/postinst"));
    String unit = Files.readString(root.resolve("lib/systemd/system/vipkeeper.service"));
    assertTrue(unit.contains("ExecStart=/opt/vipkeeper/bin/vipkeeper run --config /etc/vipkeeper/application.conf"), unit);
    assertTrue(Files.isExecutable(root.resolve("opt/vipkeeper/bin/vipkeeper")) && Files.exists(root.resolve("opt/vipkeeper/lib/vipkeeper-node.jar")),
        "what the unit starts is where it says");
    Path launcher = root.resolve("usr/bin/vipkeeper");
    checkCli(launcher);
    Map<String, String> env = new HashMap<>(Map.of("VIPKEEPER_MIN_MEMBERS", "1", "VIPKEEPER_DATA_DIR", root.resolve("var/lib/vipkeeper").toString()));
    env.putAll(LabCerts.env(LabCerts.cluster()));
    holdsTheVip(List.of(launcher.toString(), "run", "--config", root.resolve("etc/vipkeeper/application.conf").toString()), env,
        root.resolve("deb-node.log"));
  }

  /**
   * postinst run for real in a mount namespace whose /etc is a throw-away copy (and without
   * systemd's runtime directory): the user and the certificate directory appear there, twice in a
   * row without error (an upgrade), and the host's /etc is untouched.
   */
  private static void postinstMakesTheUserAndTheCertificateDirectory(Path postinst) throws Exception {
    String hostBefore = hostState();
    String script = "set -e; t=$(mktemp -d); trap 'rm -rf \"$t\"' EXIT; cp -a /etc \"$t/etc\"; mount --bind \"$t/etc\" /etc; "
        + "if [ -d /run/systemd ]; then mount -t tmpfs none /run/systemd; fi; "
        + "sh " + postinst + " configure; sh " + postinst + " configure; "
        + "getent passwd vipkeeper; stat -c 'certs %U:%G %a' /etc/vipkeeper/certs";
    String out = run(List.of("unshare", "--mount", "--propagation", "private", "bash", "-c", script), Map.of(), 0);
    assertTrue(out.contains("vipkeeper:x:") && out.contains("/usr/sbin/nologin"), "a system user without login:\n" + out);
    assertTrue(out.contains("certs root:vipkeeper 750"), "the certificate directory, readable by the service only:\n" + out);
    assertEquals(hostBefore, hostState(), "the host's /etc is as it was");
  }

  /** Whether the host has the vipkeeper user and /etc/vipkeeper. */
  private static String hostState() throws Exception {
    return run(List.of("sh", "-c", "getent passwd vipkeeper; ls -d /etc/vipkeeper 2>/dev/null; true"), Map.of(), 0);
  }

  private void checkCli(Path launcher) throws Exception {
    String help = run(List.of(launcher.toString(), "--help"), Map.of(), 0);
    assertTrue(help.contains("bin/vipkeeper run") && help.contains("--version"), help);
    assertEquals("vipkeeper " + version, run(List.of(launcher.toString(), "--version"), Map.of(), 0).strip());
    String refused = run(List.of(launcher.toString(), "demo"), Map.of(), 2);
    assertTrue(refused.contains("needs the source tree"), refused);
  }

  private Process start(int node, List<String> command, Map<String, String> env, Path log) throws IOException {
    List<String> inNs = new ArrayList<>(List.of("ip", "netns", "exec", lab.ns("n" + node)));
    inNs.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(inNs).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static void stop(Process node) throws InterruptedException {
    node.destroy();
    if (!node.waitFor(30, TimeUnit.SECONDS)) node.destroyForcibly();
  }

  /** The nodes whose kernel has the VIP. */
  private List<Integer> holders() {
    List<Integer> h = new ArrayList<>();
    for (int i = 1; i <= 3; i++) if (lab.exec("n" + i, "ip", "-4", "addr", "show", "dev", "eth0").contains(LabAddresses.VIP + "/")) h.add(i);
    return h;
  }

  /** Up members, as n1's management API (on its loopback) lists them. */
  private long upMembers() {
    String cluster = lab.httpGet("n1", "127.0.0.1", 8558, "/cluster");
    return cluster.split("\"status\":\"Up\"", -1).length - 1;
  }

  /** Starts the node in n1's namespace and waits for the VIP in its kernel; stops it with SIGTERM. */
  private void holdsTheVip(List<String> command, Map<String, String> env, Path log) throws Exception {
    Process node = start(1, command, env, log);
    try {
      boolean held = FailoverLab.await(Duration.ofSeconds(90),
          () -> lab.exec("n1", "ip", "-4", "addr", "show", "dev", "eth0").contains(LabAddresses.VIP + "/"));
      assertTrue(held, "the packaged node holds " + LabAddresses.VIP + ":\n" + Files.readString(log));
    } finally {
      stop(node);
    }
    assertFalse(lab.exec("n1", "ip", "-4", "addr", "show", "dev", "eth0").contains(LabAddresses.VIP + "/"), "released on SIGTERM");
  }

  private static String run(List<String> command, Map<String, String> env, int expectedExit) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
    assertEquals(expectedExit, p.exitValue(), String.join(" ", command) + ":\n" + out);
    return out;
  }
}
