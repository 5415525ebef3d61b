package io.vipkeeper.transport;

import io.vipkeeper.LogSafe;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server-side TLS engine that says so when an incoming connection fails its handshake for a
 * reason other than its certificate (which the trust manager logs): a peer that speaks plain TCP
 * or an old protocol. Pekko drops such connections silently. The engine does not know the peer's
 * address, and a stranger retries every second, so the line comes at most every 10 s, with a count.
 */
final class AuditedServerEngine extends SSLEngine {

  private static final Logger log = LoggerFactory.getLogger(AuditingSslEngineProvider.class);
  private static final long QUIET_NANOS = 10_000_000_000L;
  private static final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - QUIET_NANOS);
  private static final AtomicLong unlogged = new AtomicLong();

  private final SSLEngine engine;
  private boolean refused;

  AuditedServerEngine(SSLEngine engine) {
    this.engine = engine;
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
    try {
      return engine.unwrap(src, dsts, offset, length);
    } catch (SSLException e) {
      refused(e);
      throw e;
    }
  }

  /** Certificate refusals are logged by the trust manager already; every other failed handshake here. */
  private void refused(SSLException e) {
    if (refused || engine.getSession().isValid() || causedByCertificate(e)) return;
    refused = true;
    long count = unlogged.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLogged.get();
    if (now - last < QUIET_NANOS || !lastLogged.compareAndSet(last, now)) return;
    unlogged.addAndGet(-count);
    log.warn("REFUSED an incoming connection that did not complete a TLS handshake ({} since the last such line): {};"
        + " a node without TLS, or not vipkeeper, is knocking on the cluster port", count, LogSafe.of(String.valueOf(e.getMessage())));
  }

  private static boolean causedByCertificate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.security.cert.CertificateException) return true;
    }
    return false;
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
    return engine.wrap(srcs, offset, length, dst);
  }

  @Override public Runnable getDelegatedTask() { return engine.getDelegatedTask(); }
  @Override public void closeInbound() throws SSLException { engine.closeInbound(); }
  @Override public boolean isInboundDone() { return engine.isInboundDone(); }
  @Override public void closeOutbound() { engine.closeOutbound(); }
  @Override public boolean isOutboundDone() { return engine.isOutboundDone(); }
  @Override public String[] getSupportedCipherSuites() { return engine.getSupportedCipherSuites(); }
  @Override public String[] getEnabledCipherSuites() { return engine.getEnabledCipherSuites(); }
  @Override public void setEnabledCipherSuites(String[] suites) { engine.setEnabledCipherSuites(suites); }
  @Override public String[] getSupportedProtocols() { return engine.getSupportedProtocols(); }
  @Override public String[] getEnabledProtocols() { return engine.getEnabledProtocols(); }
  @Override public void setEnabledProtocols(String[] protocols) { engine.setEnabledProtocols(protocols); }
  @Override public SSLSession getSession() { return engine.getSession(); }
  @Override public SSLSession getHandshakeSession() { return engine.getHandshakeSession(); }
  @Override public void beginHandshake() throws SSLException { engine.beginHandshake(); }
  @Override public SSLEngineResult.HandshakeStatus getHandshakeStatus() { return engine.getHandshakeStatus(); }
  @Override public void setUseClientMode(boolean mode) { engine.setUseClientMode(mode); }
  @Override public boolean getUseClientMode() { return engine.getUseClientMode(); }
  @Override public void setNeedClientAuth(boolean need) { engine.setNeedClientAuth(need); }
  @Override public boolean getNeedClientAuth() { return engine.getNeedClientAuth(); }
  @Override public void setWantClientAuth(boolean want) { engine.setWantClientAuth(want); }
  @Override public boolean getWantClientAuth() { return engine.getWantClientAuth(); }
  @Override public void setEnableSessionCreation(boolean flag) { engine.setEnableSessionCreation(flag); }
  @Override public boolean getEnableSessionCreation() { return engine.getEnableSessionCreation(); }
  @Override public SSLParameters getSSLParameters() { return engine.getSSLParameters(); }
  @Override public void setSSLParameters(SSLParameters params) { engine.setSSLParameters(params); }
  @Override public String getPeerHost() { return engine.getPeerHost(); }
  @Override public int getPeerPort() { return engine.getPeerPort(); }
  @Override public String getApplicationProtocol() { return engine.getApplicationProtocol(); }
  @Override public String getHandshakeApplicationProtocol() { return engine.getHandshakeApplicationProtocol(); }

  @Override
  public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
    engine.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return engine.getHandshakeApplicationProtocolSelector();
  }
}
