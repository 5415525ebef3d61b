package io.vipkeeper.node;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vipkeeper.config.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.HashMap;

/** Start-up errors for certificates: each names the file and what to do. Real stores made by keytool. */
class TlsCheckTest {

  @TempDir
  static Path dir;
  private static Path cluster;
  private static Path other;

  @BeforeAll
  static void certificates() throws Exception {
    cluster = dir.resolve("cluster");
    other = dir.resolve("other");
    Certs.make(cluster, List.of("n1=127.0.0.1", "n2"));
    // Another CA, same password: only the signature tells them apart.
    Files.createDirectories(other);
    Files.copy(cluster.resolve("password"), other.resolve("password"));
    Certs.make(other, List.of("n1=127.0.0.1"));
    expired(cluster, "old");
  }

  /** A node certificate from the cluster CA that ran out long ago. */
  private static void expired(Path certs, String node) throws Exception {
    Map<String, String> pass = Map.of("VK_STORE_PASS", Files.readString(certs.resolve("password")).trim(),
        "VK_CA_PASS", Files.readString(Certs.caDir(certs).resolve("password")).trim());
    String store = certs.resolve(node + ".p12").toString();
    Certs.keytool(pass, "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + node,
        "-keystore", store, "-storetype", "PKCS12", "-storepass:env", "VK_STORE_PASS");
    Certs.keytool(pass, "-certreq", "-alias", "node", "-keystore", store, "-storepass:env", "VK_STORE_PASS", "-file",
        certs.resolve(node + ".csr").toString());
    Certs.keytool(pass, "-gencert", "-alias", "ca", "-keystore", Certs.caDir(certs).resolve("ca.p12").toString(), "-storepass:env", "VK_CA_PASS",
        "-infile", certs.resolve(node + ".csr").toString(), "-outfile", certs.resolve(node + ".pem").toString(), "-rfc",
        "-startdate", "-1000d", "-validity", "1");
    Certs.keytool(pass, "-importcert", "-noprompt", "-alias", "ca", "-file", certs.resolve("ca.pem").toString(), "-keystore", store,
        "-storepass:env", "VK_STORE_PASS");
    Certs.keytool(pass, "-importcert", "-alias", "node", "-file", certs.resolve(node + ".pem").toString(), "-keystore", store,
        "-storepass:env", "VK_STORE_PASS");
  }

  @Test
  void aCertificateThatDoesNotNameTheNodesAddressIsRefused() {
    String why = failure(Map.of("VIPKEEPER_TLS_DIR", cluster.toString(), "VIPKEEPER_NODE_NAME", "n2"));
    assertTrue(why.contains("does not name this node's address 127.0.0.1") && why.contains("NODE=127.0.0.1"), why);
  }

  @Test
  void theCaLivesApartAndSecretFilesArePrivate() throws Exception {
    assertFalse(Files.exists(cluster.resolve("ca.p12")), "no CA beside the node stores");
    assertTrue(Files.exists(Certs.caDir(cluster).resolve("ca.p12")));
    assertNotEquals(Files.readString(cluster.resolve("password")), Files.readString(Certs.caDir(cluster).resolve("password")),
        "the CA has a password of its own");
    for (Path secret : List.of(cluster.resolve("password"), cluster.resolve("n1.p12"), Certs.caDir(cluster).resolve("password"))) {
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)), secret.toString());
    }
  }

  private static Config node(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(Map.of("VIPKEEPER_SEED_NODES", "198.18.0.11:25520", "VIPKEEPER_NODE_NAME", "n1",
        "VIPKEEPER_VIPS", "198.18.0.50/24", "VIPKEEPER_DATA_DIR", dir.resolve("data").toString()));
    all.putAll(env);
    return NodeConfig.load(Optional.empty(), all);
  }

  private static String failure(Map<String, String> env) {
    return assertThrows(SettingsException.class, () -> TlsCheck.check(node(env))).getMessage();
  }

  @Test
  void certificatesFromBinVipkeeperCertsPass() {
    Config config = node(Map.of("VIPKEEPER_TLS_DIR", cluster.toString()));
    assertEquals("tls-tcp", config.getString("pekko.remote.artery.transport"), "TLS is the default");
    assertDoesNotThrow(() -> TlsCheck.check(config));
  }

  @Test
  void aMissingKeyStoreIsNamed() {
    String m = failure(Map.of("VIPKEEPER_TLS_DIR", cluster.toString(), "VIPKEEPER_TLS_KEYSTORE", dir.resolve("nope.p12").toString()));
    assertTrue(m.contains(dir.resolve("nope.p12") + " is missing or unreadable: set VIPKEEPER_TLS_KEYSTORE"), m);
  }

  @Test
  void aWrongPasswordIsNamed() {
    String m = failure(Map.of("VIPKEEPER_TLS_DIR", cluster.toString(), "VIPKEEPER_TLS_PASSWORD", "guess"));
    assertTrue(m.contains("cannot open " + cluster.resolve("n1.p12") + ": wrong password"), m);
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedBeforeItCanTryToJoin() {
    String m = failure(Map.of("VIPKEEPER_TLS_DIR", cluster.toString(), "VIPKEEPER_TLS_KEYSTORE", other.resolve("n1.p12").toString()));
    assertTrue(m.contains("is not signed by a CA in " + cluster.resolve("trust.p12")), m);
  }

  @Test
  void anExpiredCertificateIsNamedWithItsDate() {
    String m = failure(Map.of("VIPKEEPER_TLS_DIR", cluster.toString(), "VIPKEEPER_TLS_KEYSTORE", cluster.resolve("old.p12").toString()));
    assertTrue(m.contains("the certificate in " + cluster.resolve("old.p12") + " (CN=old) expired on"), m);
  }

  @Test
  void insecureIsPlainTcpAndOnlyWhenAskedFor() {
    Config config = node(Map.of("VIPKEEPER_INSECURE", "on"));
    assertEquals("tcp", config.getString("pekko.remote.artery.transport"));
    assertDoesNotThrow(() -> TlsCheck.check(config), "no certificates needed then");
  }

}
