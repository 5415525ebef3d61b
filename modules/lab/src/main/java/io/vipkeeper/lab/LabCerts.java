package io.vipkeeper.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Certificates for lab nodes, made once per build with the node's own {@code Certs} (bin/vipkeeper
 * certs): the cluster CA for n1..n4, and a second, unrelated CA ("rogue") for tests of a node the
 * cluster must refuse.
 */
public final class LabCerts {

  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");

  private LabCerts() {}

  /** The cluster's certificate directory, made on first use. */
  public static synchronized Path cluster() {
    return ensure(FailoverLab.logDir("certs"));
  }

  /**
   * Certificates from another CA, unknown to the cluster. Like a real intruder, it trusts the
   * cluster's CA too (a CA certificate is no secret): its connections get as far as presenting
   * its own certificate, which the cluster must refuse.
   */
  public static synchronized Path rogue() {
    Path dir = FailoverLab.logDir("certs-rogue");
    boolean fresh = !Files.exists(dir.resolve("trust.p12"));
    ensure(dir);
    if (fresh) {
      try {
        String password = Files.readString(dir.resolve("password")).trim();
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
            "-alias", "cluster-ca", "-file", cluster().resolve("ca.pem").toString(), "-keystore", dir.resolve("trust.p12").toString(),
            "-storepass", password));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return dir;
  }

  /** The environment a node {@code name} needs to use {@code dir}'s certificates. */
  public static Map<String, String> env(Path dir) {
    return Map.of("VIPKEEPER_TLS_DIR", dir.toAbsolutePath().toString());
  }

  private static Path ensure(Path dir) {
    if (NODES.stream().allMatch(n -> Files.exists(dir.resolve(n + ".p12")))) return dir;
    Path jar = NodeProcess.nodeJar();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", jar.toAbsolutePath().toString(), "io.vipkeeper.node.Certs", dir.toAbsolutePath().toString()));
    // Each node's certificate names its lab address too, for the HTTPS management API.
    for (int i = 0; i < NODES.size(); i++) command.add(NODES.get(i) + "=" + LabAddresses.nodeIp(i + 1));
    try {
      run(command);
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException("cannot make lab certificates: " + e.getMessage(), e);
    }
  }

  private static void run(List<String> command) throws IOException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) throw new IOException(String.join(" ", command.subList(0, 2)) + " failed: " + out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
