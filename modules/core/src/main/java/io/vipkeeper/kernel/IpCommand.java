package io.vipkeeper.kernel;

import io.vipkeeper.driver.DriverException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
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
      // Both pipes drained at once, each by its own thread: a full stderr must never block ip (or us).
      CompletableFuture<byte[]> out = drain(process.getInputStream());
      CompletableFuture<byte[]> err = drain(process.getErrorStream());
      try (var in = process.getOutputStream()) {
        if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // ip exited before reading all its input: its exit code and stderr say why.
      }
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new DriverException("'" + String.join(" ", command) + "' did not finish in " + TIMEOUT_SECONDS + " s");
      }
      return new Result(process.exitValue(), text(out), text(err).trim());
    } catch (IOException e) {
      throw new DriverException(
          "cannot run '" + executable + "' (" + e.getMessage()
              + "); install iproute2 or set vipkeeper.kernel.ip-command", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriverException("interrupted while running " + executable, e);
    }
  }

  private static CompletableFuture<byte[]> drain(InputStream stream) {
    CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (stream) {
        bytes.complete(stream.readAllBytes());
      } catch (IOException e) {
        bytes.complete(new byte[0]);
      }
    }, "ip-output");
    reader.setDaemon(true);
    reader.start();
    return bytes;
  }

  /** A finished process's pipe (closed at its exit, so the reader ends promptly). */
  private static String text(CompletableFuture<byte[]> bytes) throws InterruptedException {
    try {
      return new String(bytes.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return "";
    }
  }
}
