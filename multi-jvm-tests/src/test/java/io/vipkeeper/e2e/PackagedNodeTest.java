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
 * --version, and a node started from it holds the VIP in the namespace lab, its kernel and all.
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
    lab = Lab.up(Lab.prefix("vkpk"), 1, 0);
  }

  @AfterAll
  void down() {
    if (lab != null) lab.close();
  }

  @Test
  void fromTheTarballANodeConfiguredByEnvironmentAloneHoldsTheVip(@TempDir Path dir) throws Exception {
    run(List.of("tar", "-xzf", DIST.resolve("vipkeeper-" + version + ".tar.gz").toString(), "-C", dir.toString()), Map.of(), 0);
    Path home = dir.resolve("vipkeeper-" + version);
    for (String f : List.of("bin/vipkeeper", "lib/vipkeeper-node.jar", "conf/application.conf", "conf/vipkeeper.service", "LICENSE")) {
      assertTrue(Files.exists(home.resolve(f)), "the tarball has " + f);
    }
    Path launcher = home.resolve("bin/vipkeeper");
    checkCli(launcher);
    // No config file and no node name: the node host names it, and the launcher makes its certificates.
    Map<String, String> env = new HashMap<>(Map.of("VIPKEEPER_NODE_HOST", LabAddresses.nodeIp(1),
        "VIPKEEPER_SEED_NODES", LabAddresses.nodeIp(1) + ":25520", "VIPKEEPER_MIN_MEMBERS", "1", "VIPKEEPER_INTERFACE", "eth0",
        "VIPKEEPER_VIPS", LabAddresses.VIP + "/24", "VIPKEEPER_DATA_DIR", dir.resolve("data").toString()));
    holdsTheVip(List.of(launcher.toString(), "run"), env, dir.resolve("tarball-node.log"));
    assertTrue(Files.exists(home.resolve("conf/certs")), "the launcher made this node's certificates in conf/certs");
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
    assertTrue(Files.readString(root.resolve("DEBIAN/postinst")).contains("adduser --system --group"), "postinst makes the vipkeeper user");
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

  private void checkCli(Path launcher) throws Exception {
    String help = run(List.of(launcher.toString(), "--help"), Map.of(), 0);
    assertTrue(help.contains("bin/vipkeeper run") && help.contains("--version"), help);
    assertEquals("vipkeeper " + version, run(List.of(launcher.toString(), "--version"), Map.of(), 0).strip());
    String refused = run(List.of(launcher.toString(), "demo"), Map.of(), 2);
    assertTrue(refused.contains("needs the source tree"), refused);
  }

  /** Starts the node in n1's namespace and waits for the VIP in its kernel; stops it with SIGTERM. */
  private void holdsTheVip(List<String> command, Map<String, String> env, Path log) throws Exception {
    List<String> inNs = new ArrayList<>(List.of("ip", "netns", "exec", lab.ns("n1")));
    inNs.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(inNs).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process node = builder.start();
    try {
      boolean held = FailoverLab.await(Duration.ofSeconds(90),
          () -> lab.exec("n1", "ip", "-4", "addr", "show", "dev", "eth0").contains(LabAddresses.VIP + "/"));
      assertTrue(held, "the packaged node holds " + LabAddresses.VIP + ":\n" + Files.readString(log));
    } finally {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) node.destroyForcibly();
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
