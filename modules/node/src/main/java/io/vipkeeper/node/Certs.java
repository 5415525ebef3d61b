package io.vipkeeper.node;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a cluster CA and one certificate per node with the JDK's keytool. The CA lives in a
 * directory of its own, {@code DIR-ca/} ({@code ca.p12} and its own {@code password}), so copying
 * {@code DIR} to the nodes never copies the CA. {@code DIR} holds {@code trust.p12} (the CA
 * certificate, for every node), {@code NODE.p12} (the node's key and CA-signed certificate) and
 * {@code password} (the node stores' password). Secret files are created private (mode 600, dirs
 * 700) before anything is written to them; keytool gets passwords through its environment, never
 * on its command line (where {@code ps} shows them). An existing CA is reused, so nodes can be
 * added later. Each certificate names its node (DNS name NODE); {@code NODE=ADDR[,ADDR]} also names
 * its addresses (the cluster address, checked by the other nodes, and the management API's).
 * Usage: Certs DIR NODE[=ADDR,...]... (bin/vipkeeper certs).
 */
public final class Certs {

  private static final String DAYS = "825";
  private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private Certs() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: vipkeeper certs DIR NODE[=ADDR,...]...   (e.g. vipkeeper certs conf/certs n1=198.18.0.11 n2 n3)");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    make(dir, List.of(args).subList(1, args.length));
    System.out.println("certificates in " + dir.toAbsolutePath() + ": trust.p12 and one NODE.p12 per node; password in "
        + dir.resolve("password") + "; the CA is in " + caDir(dir).toAbsolutePath() + ": keep it off the nodes");
  }

  /** Where the CA of {@code dir} lives: beside it, not in it. */
  static Path caDir(Path dir) {
    Path absolute = dir.toAbsolutePath().normalize();
    return absolute.resolveSibling(absolute.getFileName() + "-ca");
  }

  /** Creates what is missing in {@code dir} for {@code nodes}. */
  public static void make(Path dir, List<String> nodes) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    // Two nodes started at once on one machine make them one after the other, not both half-way.
    try (FileChannel channel = FileChannel.open(dir.resolve(".certs.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      makeLocked(dir, nodes);
    }
  }

  private static void makeLocked(Path dir, List<String> nodes) throws IOException, InterruptedException {
    Path caDir = caDir(dir);
    if (!Files.isDirectory(caDir)) Files.createDirectories(caDir, PRIVATE_DIR);
    Map<String, String> pass = Map.of("VK_CA_PASS", password(caDir.resolve("password")), "VK_STORE_PASS", password(dir.resolve("password")));
    Path ca = caDir.resolve("ca.p12");
    if (!Files.exists(ca)) {
      keytool(pass, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=vipkeeper cluster CA",
          "-ext", "bc:c", "-validity", "3650", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass:env", "VK_CA_PASS");
      keytool(pass, "-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-storepass:env", "VK_CA_PASS", "-rfc",
          "-file", dir.resolve("ca.pem").toString());
      Files.deleteIfExists(dir.resolve("trust.p12"));
    }
    if (!Files.exists(dir.resolve("trust.p12"))) {
      keytool(pass, "-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
          "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass:env", "VK_STORE_PASS");
    }
    for (String spec : nodes) {
      String node = spec.split("=", 2)[0];
      Path store = dir.resolve(node + ".p12");
      if (Files.exists(store)) continue;
      Path csr = dir.resolve(node + ".csr");
      Path pem = dir.resolve(node + ".pem");
      keytool(pass, "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + node,
          "-validity", DAYS, "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass:env", "VK_STORE_PASS");
      keytool(pass, "-certreq", "-alias", "node", "-keystore", store.toString(), "-storepass:env", "VK_STORE_PASS", "-file", csr.toString());
      keytool(pass, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass:env", "VK_CA_PASS", "-infile", csr.toString(),
          "-outfile", pem.toString(), "-rfc", "-validity", DAYS, "-ext", "eku=serverAuth,clientAuth",
          "-ext", "san=" + subjectAlternativeNames(spec));
      keytool(pass, "-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
          "-keystore", store.toString(), "-storepass:env", "VK_STORE_PASS");
      keytool(pass, "-importcert", "-alias", "node", "-file", pem.toString(), "-keystore", store.toString(), "-storepass:env", "VK_STORE_PASS");
      Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
      Files.delete(csr);
    }
  }

  /** dns:NODE, and ip: (or dns:) for each address after '='. */
  static String subjectAlternativeNames(String spec) {
    String[] parts = spec.split("=", 2);
    List<String> names = new ArrayList<>(List.of("dns:" + parts[0]));
    if (parts.length == 2) {
      for (String address : parts[1].split(",")) {
        if (address.isBlank()) continue;
        names.add((address.matches("[0-9.]+") || address.contains(":") ? "ip:" : "dns:") + address.trim());
      }
    }
    return String.join(",", names);
  }

  /** The password in {@code file}, or a new random one in a file that is private from its creation. */
  private static String password(Path file) throws IOException {
    if (Files.exists(file)) return Files.readString(file).trim();
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.createFile(file, PRIVATE_FILE);
    Files.writeString(file, password + "\n");
    return password;
  }

  static void keytool(Map<String, String> secrets, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(secrets);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IOException("keytool " + args[0] + " failed: " + out.trim());
  }
}
