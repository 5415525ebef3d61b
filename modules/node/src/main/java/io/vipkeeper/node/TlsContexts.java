package io.vipkeeper.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import com.typesafe.config.Config;
import io.vipkeeper.config.SettingsException;
import java.util.List;

/** SSL contexts from the cluster's PKCS12 stores (bin/vipkeeper certs), for the HTTPS management API. */
public final class TlsContexts {

  private TlsContexts() {}

  /**
   * The node's own key and certificate from {@code vipkeeper.tls} (root config), to serve the
   * management API over HTTPS; a store that cannot be used is a settings problem naming the file.
   */
  public static SSLContext server(Config config) {
    String store = config.getString("vipkeeper.tls.key-store");
    try {
      return server(Path.of(store), config.getString("vipkeeper.tls.password"));
    } catch (IOException | GeneralSecurityException e) {
      throw new SettingsException(List.of("vipkeeper.http.https = on (VIPKEEPER_HTTPS) needs"
          + " this node's key store: vipkeeper.tls.key-store " + store + ": " + e.getMessage()
          + "; make one with bin/vipkeeper certs DIR NODE"));
    }
  }

  /** The node's own key and certificate, to serve HTTPS. */
  public static SSLContext server(Path keyStore, String password) throws IOException, GeneralSecurityException {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(load(keyStore, password), password.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  /** Trusts only the cluster's CA: a client of a node's HTTPS API. */
  public static SSLContext client(Path trustStore, String password) throws IOException, GeneralSecurityException {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(trustStore, password));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** A PKCS12 store opened with its password. */
  static KeyStore load(Path file, String password) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }
}
