package io.vipkeeper.ledger;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ledger's promise survives its JVM killed the moment it answered. H2's default keeps a commit
 * in memory for a moment (its write delay): a JVM halted within ~10-50 ms of the answer lost every
 * promise in a trial here, and the restarted ledger could then promise the same epoch again.
 */
class KilledLedgerTest {

  @Test
  void aPromiseAnsweredJustBeforeAKillIsStillThereAfterTheRestart(@TempDir Path dir) throws Exception {
    for (long epoch = 1; epoch <= 2; epoch++) {
      String promised = run(dir, "promise", "web", Long.toString(epoch));
      assertTrue(promised.contains("PROMISED " + epoch), "the first JVM promised before its halt:\n" + promised);
      String read = run(dir, "read");
      assertTrue(read.contains("READY promised={web=" + epoch + "}"), "after the kill of the JVM that promised epoch " + epoch
          + ", the ledger recovered:\n" + read);
    }
  }

  /** Runs {@link LedgerProcess} in a JVM of its own on {@code dir}; its output, once it ended. */
  private static String run(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LedgerProcess.class.getName(), dir.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the ledger's JVM did not end within 60 s: " + String.join(" ", args));
    }
    return new String(process.getInputStream().readAllBytes());
  }
}
