package io.vipkeeper.transport;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AuditedServerEngineTest {

  /** A peer that speaks plain TCP to the cluster port: refused as before, and now said so, once per 10 s. */
  @Test
  void aPlainTcpPeerIsRefusedAndLoggedOncePerQuietPeriod() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(AuditingSslEngineProvider.class);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    logger.addAppender(seen);
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        SSLEngine engine = new AuditedServerEngine(serverEngine());
        ByteBuffer plain = ByteBuffer.wrap("PEKKO plain tcp frame, not a TLS record".getBytes(StandardCharsets.US_ASCII));
        assertThrows(SSLException.class, () -> engine.unwrap(plain, ByteBuffer.allocate(engine.getSession().getApplicationBufferSize())),
            "the handshake still fails");
      }
    } finally {
      logger.detachAppender(seen);
    }
    var refusals = seen.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("REFUSED an incoming connection")).toList();
    assertEquals(1, refusals.size(), "three knocks within 10 s give one line: " + seen.list);
    assertTrue(refusals.get(0).contains("(1 since the last such line)"), refusals.get(0));
  }

  private static SSLEngine serverEngine() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine();
    engine.setUseClientMode(false);
    return engine;
  }
}
