package io.vipkeeper.node;

import com.typesafe.config.Config;
import io.vipkeeper.config.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Before a node joins over TLS: its key store and trust store open with the password, it has a key
 * with a certificate that is valid now, and a CA in the trust store signed that certificate. Every
 * failure names the file and what to do, instead of a handshake error later on every connection.
 */
final class TlsCheck {

  private static final String REMEDY = "; make certificates with: bin/vipkeeper certs DIR NODE...";

  private TlsCheck() {}

  static void check(Config config) {
    if (!config.getString("pekko.remote.artery.transport").equals("tls-tcp")) return;
    Config ssl = config.getConfig("pekko.remote.artery.ssl.config-ssl-engine");
    Path keyFile = Path.of(ssl.getString("key-store"));
    Path trustFile = Path.of(ssl.getString("trust-store"));
    KeyStore keys = open(keyFile, ssl.getString("key-store-password"), "VIPKEEPER_TLS_KEYSTORE (vipkeeper.tls.key-store)");
    KeyStore trust = open(trustFile, ssl.getString("trust-store-password"), "VIPKEEPER_TLS_TRUSTSTORE (vipkeeper.tls.trust-store)");
    X509Certificate cert = nodeCertificate(keys, keyFile);
    try {
      cert.checkValidity();
    } catch (CertificateExpiredException e) {
      throw problem("the certificate in " + keyFile + " (" + cert.getSubjectX500Principal().getName() + ") expired on "
          + cert.getNotAfter() + REMEDY);
    } catch (CertificateNotYetValidException e) {
      throw problem("the certificate in " + keyFile + " is not valid before " + cert.getNotBefore() + " (check the clock)");
    }
    String host = config.getString("pekko.remote.artery.canonical.hostname");
    if (ssl.getBoolean("hostname-verification") && !names(cert, host)) {
      throw problem("the certificate in " + keyFile + " (" + cert.getSubjectX500Principal().getName() + ") does not name this node's"
          + " address " + host + ": the other nodes would refuse it (a certificate is bound to its node's address); make it with"
          + " bin/vipkeeper certs DIR NODE=" + host + " (or set VIPKEEPER_NODE_HOST to an address it names)");
    }
    if (!signedByTrusted(cert, trust)) {
      throw problem("the certificate in " + keyFile + " (" + cert.getSubjectX500Principal().getName() + ", issued by "
          + cert.getIssuerX500Principal().getName() + ") is not signed by a CA in " + trustFile
          + ": the other nodes would refuse this node" + REMEDY);
    }
  }

  private static KeyStore open(Path file, String password, String setting) {
    if (!Files.isReadable(file)) throw problem(file.toAbsolutePath() + " is missing or unreadable: set " + setting + REMEDY);
    try {
      return TlsContexts.load(file, password);
    } catch (Exception e) {
      String why = String.valueOf(e.getMessage());
      throw problem("cannot open " + file + (why.contains("password") || why.contains("keystore") || why.contains("MAC")
          ? ": wrong password (VIPKEEPER_TLS_PASSWORD / vipkeeper.tls.password)" : ": " + why));
    }
  }

  private static X509Certificate nodeCertificate(KeyStore keys, Path file) {
    try {
      for (String alias : Collections.list(keys.aliases())) {
        if (keys.isKeyEntry(alias) && keys.getCertificate(alias) instanceof X509Certificate cert
            && !cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
          return cert;
        }
      }
    } catch (Exception e) {
      throw problem("cannot read " + file + ": " + e.getMessage());
    }
    throw problem(file + " holds no node key with a CA-signed certificate" + REMEDY);
  }

  /** Whether the certificate's subject alternative names include {@code host} (an IP or DNS entry). */
  static boolean names(X509Certificate cert, String host) {
    try {
      if (cert.getSubjectAlternativeNames() == null) return false;
      for (List<?> name : cert.getSubjectAlternativeNames()) {
        String value = String.valueOf(name.get(1));
        if (value.equalsIgnoreCase(host) || sameAddress(value, host)) return true;
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return false;
    }
    return false;
  }

  private static boolean sameAddress(String a, String b) {
    if (!a.matches("[0-9a-fA-F:.]+") || !b.matches("[0-9a-fA-F:.]+")) return false;
    try {
      return java.net.InetAddress.getByName(a).equals(java.net.InetAddress.getByName(b));
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static boolean signedByTrusted(X509Certificate cert, KeyStore trust) {
    List<X509Certificate> cas = new ArrayList<>();
    try {
      for (String alias : Collections.list(trust.aliases())) {
        if (trust.getCertificate(alias) instanceof X509Certificate ca) cas.add(ca);
      }
    } catch (Exception e) {
      return false;
    }
    for (X509Certificate ca : cas) {
      try {
        cert.verify(ca.getPublicKey());
        return true;
      } catch (Exception e) {
        // not this CA
      }
    }
    return false;
  }

  private static SettingsException problem(String message) {
    return new SettingsException(List.of("tls: " + message));
  }
}
