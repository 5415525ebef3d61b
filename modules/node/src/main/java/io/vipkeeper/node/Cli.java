package io.vipkeeper.node;

import io.vipkeeper.LogSafe;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipkeeper.node.api.VipTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * {@code bin/vipkeeper status|move|drain|undrain|add|remove|history}: the management API from a
 * shell. The node is VIPKEEPER_URL (or http(s):// + VIPKEEPER_HTTP, https with VIPKEEPER_HTTPS=on,
 * else http://127.0.0.1:8558); the token is VIPKEEPER_HTTP_TOKEN; an https node is trusted when
 * the cluster's CA signed it (trust.p12 and password in VIPKEEPER_TLS_DIR). Exit 0 done, 1 refused
 * or unreachable (the reason on stderr), 2 usage.
 */
@Command(name = "vipkeeper", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, subcommandsRepeatable = false,
    description = "The management API of a vipkeeper node (VIPKEEPER_URL, default http://127.0.0.1:8558).",
    footer = {"%nEnvironment: VIPKEEPER_URL or VIPKEEPER_HTTP (host:port) and VIPKEEPER_HTTPS=on; VIPKEEPER_HTTP_TOKEN for the"
        + " changing calls; VIPKEEPER_TLS_DIR (trust.p12, password) to trust an https node."},
    exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:done", "1:refused by the node or the node unreachable", "2:usage"})
public final class Cli {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final String base;
  private final String token;

  Cli(String base, String token, javax.net.ssl.SSLContext tls) {
    this.base = base;
    this.token = token;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
    this.client = (tls == null ? builder : builder.sslContext(tls)).build();
  }

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    String scheme = "on".equals(env.get("VIPKEEPER_HTTPS")) ? "https://" : "http://";
    String base = env.getOrDefault("VIPKEEPER_URL", scheme + env.getOrDefault("VIPKEEPER_HTTP", "127.0.0.1:8558"));
    try {
      System.exit(new Cli(base, env.getOrDefault("VIPKEEPER_HTTP_TOKEN", ""), base.startsWith("https:") ? trust(env) : null).run(args));
    } catch (GeneralSecurityException | IllegalArgumentException | IOException e) {
      System.err.println("vipkeeper: " + e.getMessage());
      System.exit(2);
    }
  }

  /** The cluster CA from VIPKEEPER_TLS_DIR (trust.p12, password). */
  private static javax.net.ssl.SSLContext trust(Map<String, String> env) throws IOException, GeneralSecurityException {
    String dir = env.get("VIPKEEPER_TLS_DIR");
    if (dir == null || dir.isBlank()) {
      throw new IllegalArgumentException("an https node needs the cluster's CA: set VIPKEEPER_TLS_DIR to the directory of"
          + " bin/vipkeeper certs (trust.p12 and password)");
    }
    Path tls = Path.of(dir);
    return TlsContexts.client(tls.resolve("trust.p12"), Files.readString(tls.resolve("password")).trim());
  }

  /** Runs one command line; the exit code (a refusal 1, a usage error 2). */
  int run(String[] args) {
    return new CommandLine(this).setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof IllegalArgumentException) {
        line.getErr().println("vipkeeper: " + e.getMessage());
        return 2;
      }
      if (e instanceof IOException) {
        line.getErr().println("vipkeeper: cannot reach the management API at " + base + " (" + (e.getMessage() != null ? e.getMessage()
            : e.getClass().getSimpleName()) + "); is the node running? set VIPKEEPER_URL or VIPKEEPER_HTTP");
        return 1;
      }
      throw e;
    }).execute(args);
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Every group: where it lives, its epoch, its addresses.")
  int status() throws IOException, InterruptedException {
    HttpResponse<String> response = send("GET", "/vips", null);
    if (response.statusCode() != 200) return print(response);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups = JSON.readValue(response.body(), List.class);
    System.out.print(VipTable.render(groups));
    return 0;
  }

  @Command(name = "move", mixinStandardHelpOptions = true, description = "Move GROUP to NODE now (a planned hand-over).")
  int move(@Parameters(paramLabel = "GROUP") String group, @Parameters(paramLabel = "NODE") String node) throws IOException, InterruptedException {
    return print(send("POST", "/vips/" + segment(group) + "/move", JSON.writeValueAsString(Map.of("node", node))));
  }

  @Command(name = "drain", mixinStandardHelpOptions = true, description = "Move every group off NODE and place none there until undrained.")
  int drain(@Parameters(paramLabel = "NODE") String node) throws IOException, InterruptedException {
    return print(send("POST", "/nodes/" + segment(node) + "/drain", null));
  }

  @Command(name = "undrain", mixinStandardHelpOptions = true, description = "NODE may hold groups again.")
  int undrain(@Parameters(paramLabel = "NODE") String node) throws IOException, InterruptedException {
    return print(send("POST", "/nodes/" + segment(node) + "/undrain", null));
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove GROUP (added at run time) from the cluster; its holder releases it.")
  int remove(@Parameters(paramLabel = "GROUP") String group) throws IOException, InterruptedException {
    return print(send("DELETE", "/vips/" + segment(group), null));
  }

  @Command(name = "history", mixinStandardHelpOptions = true, description = "GROUP's claims and releases, epoch by epoch.")
  int history(@Parameters(paramLabel = "GROUP") String group) throws IOException, InterruptedException {
    return print(send("GET", "/vips/" + segment(group) + "/history", null));
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a group at run time; the cluster places it at once.")
  int add(@Parameters(paramLabel = "NAME") String name,
      @Parameters(paramLabel = "CIDR[,CIDR...]", split = ",", description = "its addresses, e.g. 198.18.0.60/24") List<String> addresses,
      @Option(names = "--prefer", paramLabel = "NODE", split = ",", description = "nodes to place it on first, in order") List<String> prefer,
      @Option(names = "--mode", paramLabel = "garp|vmac", description = "failover method (default garp)") String mode,
      @Option(names = "--vrid", paramLabel = "N", description = "virtual router id 1..255 of a vmac group") Integer vrid)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode().put("name", name);
    addresses.forEach(body.putArray("addresses")::add);
    if (prefer != null) prefer.forEach(body.putObject("placement").putArray("prefer")::add);
    if (mode != null) body.put("mode", mode);
    if (vrid != null) body.put("virtual-router-id", vrid);
    return print(send("POST", "/vips", body.toString()));
  }

  /**
   * A group or node name as one path segment: names are letters, digits, '.', '-' and '_', so
   * anything else (a '/', '?', "..") is a mistake or an attempt to reach another endpoint: refused.
   */
  static String segment(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}") || name.contains("..")) {
      throw new IllegalArgumentException("'" + LogSafe.of(name) + "' is not a group or node name (letters, digits, '.', '-', '_')");
    }
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) request.header("Content-Type", "application/json");
    if (!token.isEmpty()) request.header("Authorization", "Bearer " + token);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The answer as indented JSON; a refusal's reason on stderr with exit 1. */
  private static int print(HttpResponse<String> response) throws IOException {
    Object body;
    try {
      body = JSON.readValue(response.body(), Object.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      System.err.println("vipkeeper: " + response.statusCode() + ": the reply is not JSON (is VIPKEEPER_URL a vipkeeper node?): "
          + LogSafe.of(response.body()));
      return 1;
    }
    if (response.statusCode() >= 400) {
      Object error = body instanceof Map<?, ?> m ? m.get("error") : body;
      System.err.println("vipkeeper: " + response.statusCode() + ": " + error);
      return 1;
    }
    System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    return 0;
  }

}
