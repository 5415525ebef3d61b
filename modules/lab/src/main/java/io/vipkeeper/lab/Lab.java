package io.vipkeeper.lab;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A namespace lab made by the project's {@code lab/lab.sh}, with a way to run Java code inside
 * one of its namespaces: setns(2) on a fresh thread, so the kernel and pcap calls of the real
 * drivers happen in that namespace while the JVM stays where it is. Close removes the lab.
 */
public final class Lab implements AutoCloseable {

  private interface LibC extends Library {
    LibC C = Native.load("c", LibC.class);
    int open(String path, int flags);
    int setns(int fd, int nstype);
    int close(int fd);
  }

  private static final int CLONE_NEWNET = 0x40000000;
  private final String prefix;
  private final Path script;

  private Lab(String prefix, Path script) {
    this.prefix = prefix;
    this.script = script;
  }

  /** Brings a lab up, or explains why this machine cannot (not root, no lab script). */
  public static Lab up(String prefix, int nodes, int clients) {
    Path script = Path.of(System.getProperty("vipkeeper.lab.script", "../../lab/lab.sh")).toAbsolutePath().normalize();
    Lab lab = new Lab(prefix, script);
    lab.script("down", prefix);
    lab.script("up", prefix, String.valueOf(nodes), String.valueOf(clients));
    return lab;
  }

  /**
   * A lab prefix unique to this process: {@code tag} (2-4 letters naming the test or program) and
   * the process id, so a test suite and a benchmark never share namespace names.
   */
  public static String prefix(String tag) {
    if (!tag.matches("[a-z][a-z0-9]{1,3}")) throw new IllegalArgumentException("lab tag '" + tag + "' must be 2-4 lower-case letters/digits");
    return tag + ProcessHandle.current().pid() % 10000;
  }

  /**
   * Whether this machine can build a lab: root with iproute2 and nft. Not root: false (the lab tests
   * are skipped), except under CI, which runs as root and where a skipped lab test would hide a
   * failure. Root without the tools: an error that names the package.
   */
  public static boolean canRun() {
    if (!"root".equals(System.getProperty("user.name"))) {
      if (System.getenv("CI") != null) throw new IllegalStateException("CI must run the lab tests as root (network namespaces)");
      return false;
    }
    for (List<String> tool : List.of(List.of("ip", "-V"), List.of("nft", "--version"))) {
      try {
        if (new ProcessBuilder(tool).redirectErrorStream(true).start().waitFor() != 0) throw new IOException("exit code");
      } catch (IOException e) {
        throw new IllegalStateException(tool.get(0) + " is missing: apt-get install " + (tool.get(0).equals("ip") ? "iproute2" : "nftables"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  public String prefix() {
    return prefix;
  }

  /** Sets {@code host}'s eth0 up or down: a cable pulled or put back. */
  public void link(String host, boolean up) {
    script("link", prefix, host, up ? "up" : "down");
  }

  public String ns(String host) {
    return prefix + "-" + host;
  }

  /** Runs a command in {@code host}'s namespace and returns its output; fails on a non-zero exit. */
  public String exec(String host, String... command) {
    List<String> args = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
    args.addAll(List.of(command));
    return run(args);
  }

  /** Calls {@code body} on a thread that lives in {@code host}'s network namespace. */
  public <T> T inside(String host, Callable<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      int fd = LibC.C.open("/var/run/netns/" + ns(host), 0);
      try {
        if (fd < 0 || LibC.C.setns(fd, CLONE_NEWNET) != 0) throw new IllegalStateException("setns into " + ns(host) + " failed");
        result.complete(body.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      } finally {
        if (fd >= 0) LibC.C.close(fd);
      }
    }, "netns-" + ns(host));
    thread.start();
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }

  /**
   * GET http://ip:port/path from {@code host}'s namespace; the whole response (status line,
   * headers, body), or "" when nothing answers.
   */
  public String httpGet(String host, String ip, int port, String path) {
    return http(host, ip, port, "GET", path, null, "");
  }

  /**
   * One HTTP request from namespace {@code host}; the raw response (status line, headers, body),
   * or "" when nothing answered. {@code token} empty: no Authorization header.
   */
  public String http(String host, String ip, int port, String method, String path, String body, String token) {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return request(host, ip, port, method + " " + path, (token.isEmpty() ? "" : "Authorization: Bearer " + token + "\r\n")
        + (body == null ? "" : "Content-Type: application/json\r\n"), content);
  }

  /**
   * One request from {@code host}'s namespace with the request line {@code line} (e.g. "POST /vips"),
   * extra header lines {@code headers} (each ending in CRLF) and {@code content} as the body; the
   * raw response, or "" when nothing answered (a refusal may close the connection mid-body).
   */
  public String request(String host, String ip, int port, String line, String headers, byte[] content) {
    String head = line + " HTTP/1.1\r\nHost: " + ip + "\r\nConnection: close\r\n" + headers
        + "Content-Length: " + content.length + "\r\n\r\n";
    try {
      return inside(host, () -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(ip, port), 1000);
          socket.setSoTimeout(30_000);
          socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
          try {
            socket.getOutputStream().write(content);
          } catch (java.io.IOException refusedMidBody) {
            // The server answered and closed before taking it all: its answer may still be readable.
          }
          return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
      });
    } catch (Exception e) {
      return "";
    }
  }

  /** Runs a command in this JVM's namespaces (e.g. nsenter into a node's process); fails on a non-zero exit. */
  public String run(String... command) {
    return run(List.of(command));
  }

  public String script(String... args) {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  @Override
  public void close() {
    script("down", prefix);
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
