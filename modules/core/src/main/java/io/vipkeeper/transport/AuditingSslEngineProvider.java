package io.vipkeeper.transport;

import io.vipkeeper.LogSafe;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pekko's key-store based TLS for Artery, plus a log line for every peer certificate it refuses
 * and for incoming connections that do not speak TLS: Pekko itself drops such connections without a word, and a stranger trying to join the cluster
 * is exactly what an operator wants to see. Configured as
 * {@code pekko.remote.artery.ssl.ssl-engine-provider} in vipkeeper-cluster.conf.
 */
public final class AuditingSslEngineProvider extends ConfigSSLEngineProvider {

  private static final Logger log = LoggerFactory.getLogger(AuditingSslEngineProvider.class);

  public AuditingSslEngineProvider(ActorSystem system) {
    super(system);
  }

  /** Incoming connections: a handshake that fails for another reason than a certificate is logged too. */
  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    return new AuditedServerEngine(super.createServerSSLEngine(hostname, port));
  }

  @Override
  public TrustManager[] trustManagers() {
    TrustManager[] managers = super.trustManagers();
    for (int i = 0; i < managers.length; i++) {
      if (managers[i] instanceof X509ExtendedTrustManager m) managers[i] = new Auditing(m);
    }
    return managers;
  }

  private static final class Auditing extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager trust;

    Auditing(X509ExtendedTrustManager trust) {
      this.trust = trust;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      audited("an incoming connection", chain, engine, () -> trust.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      audited("a node this one connected to", chain, engine, () -> trust.checkServerTrusted(chain, authType, engine));
    }

    private interface Check {
      void run() throws CertificateException;
    }

    private static void audited(String who, X509Certificate[] chain, SSLEngine engine, Check check) throws CertificateException {
      try {
        check.run();
      } catch (CertificateException e) {
        throw refused(who, chain, engine, e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      trust.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      trust.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      trust.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      trust.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return trust.getAcceptedIssuers();
    }

    private static CertificateException refused(String who, X509Certificate[] chain, SSLEngine engine, CertificateException e) {
      String subject = chain == null || chain.length == 0 ? "(no certificate)" : chain[0].getSubjectX500Principal().getName();
      String issuer = chain == null || chain.length == 0 ? "-" : chain[0].getIssuerX500Principal().getName();
      // The peer host is known only on the connecting side (a server engine is made for its own address).
      boolean outgoing = who.startsWith("a node");
      // The names are the peer's own words: printed without their control characters (no forged log lines).
      log.warn("REFUSED TLS peer {} (issued by {}) from {}{}: {}; it cannot join or talk to this cluster", LogSafe.of(subject),
          LogSafe.of(issuer), who, outgoing && engine != null && engine.getPeerHost() != null ? " at " + engine.getPeerHost() : "",
          LogSafe.of(e.getMessage()));
      return e;
    }
  }
}
