package io.vipkeeper.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Makes a cluster CA and one certificate per node with the JDK's keytool: {@code DIR/ca.p12} (keep
 * it away from the nodes), {@code DIR/trust.p12} (the CA certificate, for every node),
 * {@code DIR/NODE.p12} (the node's key and CA-signed certificate) and {@code DIR/password} (one
 * random password for all stores, mode 600). An existing CA in DIR is reused, so nodes can be added
 * later. Each certificate names its node (DNS name NODE); {@code NODE=ADDR[,ADDR]} also names the
 * addresses clients use to reach its HTTPS management API. Usage: Certs DIR NODE[=ADDR,...]...
 * (bin/vipkeeper certs).
 */
public final class Certs {

  private static final String DAYS = "825";

  private Certs() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: vipkeeper certs DIR NODE[=ADDR,...]...   (e.g. vipkeeper certs conf/certs n1=198.18.0.11 n2 n3)");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    make(dir, List.of(args).subList(1, args.length));
    System.out.println("certificates in " + dir.toAbsolutePath() + ": trust.p12 and one NODE.p12 per node; password in "
        + dir.resolve("password") + "; keep ca.p12 off the nodes");
  }

  /** Creates what is missing in {@code dir} for {@code nodes}. */
  public static void make(Path dir, List<String> nodes) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    String password = password(dir);
    Path ca = dir.resolve("ca.p12");
    if (!Files.exists(ca)) {
      keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=vipkeeper cluster CA",
          "-ext", "bc:c", "-validity", "3650", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", password);
      keytool("-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password, "-rfc",
          "-file", dir.resolve("ca.pem").toString());
      keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
          "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", password);
    }
    for (String spec : nodes) {
      String node = spec.split("=", 2)[0];
      Path store = dir.resolve(node + ".p12");
      if (Files.exists(store)) continue;
      Path csr = dir.resolve(node + ".csr");
      Path pem = dir.resolve(node + ".pem");
      keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + node,
          "-validity", DAYS, "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password);
      keytool("-certreq", "-alias", "node", "-keystore", store.toString(), "-storepass", password, "-file", csr.toString());
      keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password, "-infile", csr.toString(),
          "-outfile", pem.toString(), "-rfc", "-validity", DAYS, "-ext", "eku=serverAuth,clientAuth",
          "-ext", "san=" + subjectAlternativeNames(spec));
      keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
          "-keystore", store.toString(), "-storepass", password);
      keytool("-importcert", "-alias", "node", "-file", pem.toString(), "-keystore", store.toString(), "-storepass", password);
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

  private static String password(Path dir) throws IOException {
    Path file = dir.resolve("password");
    if (Files.exists(file)) return Files.readString(file).trim();
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.writeString(file, password + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return password;
  }

  static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IOException("keytool " + args[0] + " failed: " + out.trim());
  }
}
