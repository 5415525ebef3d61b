package io.vipkeeper.node.logging;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The journald logging of the shipped conf/logback-journald.xml, run for real. */
class JournaldPriorityTest {

  @Test
  void eachLevelGetsItsSdDaemonPriority() {
    assertEquals("<3>", JournaldPriority.prefix(Level.ERROR));
    assertEquals("<4>", JournaldPriority.prefix(Level.WARN));
    assertEquals("<6>", JournaldPriority.prefix(Level.INFO));
    assertEquals("<7>", JournaldPriority.prefix(Level.DEBUG));
    assertEquals("<7>", JournaldPriority.prefix(Level.TRACE));
  }

  @Test
  void theShippedConfigPrefixesLinesAndLeavesTheTimestampToTheJournal() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(Path.of("../../conf/logback-journald.xml").toFile());
      context.getLogger("io.vipkeeper.test").warn("LEASE LOST group=web");
      context.getLogger("io.vipkeeper.test").info("CLAIMED group=web");
    } finally {
      context.stop();
      System.setOut(stdout);
    }
    for (Status s : context.getStatusManager().getCopyOfStatusList()) assertTrue(s.getLevel() < Status.ERROR, "config error: " + s);
    String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals("<4>WARN  io.vipkeeper.test - LEASE LOST group=web", lines[0]);
    assertEquals("<6>INFO  io.vipkeeper.test - CLAIMED group=web", lines[1]);
  }
}
