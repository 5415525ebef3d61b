package io.vipkeeper.kernel;

import io.vipkeeper.driver.DriverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs iproute2's {@code ip} and returns what it printed; the only place that forks it. */
final class IpCommand {

  record Result(int exitCode, String out, String err) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private static final long TIMEOUT_SECONDS = 10;
  private final String executable;

  IpCommand(String executable) {
    this.executable = executable;
  }

  Result run(List<String> args) {
    return run(args, null);
  }

  /** Runs {@code ip args}, writing {@code stdin} (batch lines) to it when non-null. */
  Result run(List<String> args, String stdin) {
    List<String> command = new ArrayList<>();
    command.add(executable);
    command.addAll(args);
    try {
      Process process = new ProcessBuilder(command).start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      byte[] err = process.getErrorStream().readAllBytes();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new DriverException("'" + String.join(" ", command) + "' did not finish in 10 s");
      }
      return new Result(
          process.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw new DriverException(
          "cannot run '" + executable + "' (" + e.getMessage()
              + "); install iproute2 or set vipkeeper.kernel.ip-command", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriverException("interrupted while running " + executable, e);
    }
  }
}
