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
import java.util.Arrays;
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
 * (the API's reason on stderr), 2 usage.
 */
public final class Cli {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USAGE = """
      usage: vipkeeper status
             vipkeeper move GROUP NODE
             vipkeeper drain NODE | undrain NODE
             vipkeeper add NAME CIDR[,CIDR...] [--prefer NODE[,NODE...]] [--mode garp|vmac] [--vrid N]
             vipkeeper remove GROUP
             vipkeeper history GROUP""";

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
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      System.err.println("vipkeeper: " + e.getMessage());
      System.exit(2);
    } catch (IOException e) {
      System.err.println("vipkeeper: cannot reach the management API at " + base + " (" + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())
          + "); is the node running? set VIPKEEPER_URL or VIPKEEPER_HTTP");
      System.exit(1);
    } catch (InterruptedException e) {
      System.exit(1);
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

  int run(String[] args) throws IOException, InterruptedException {
    String command = args.length == 0 ? "" : args[0];
    return switch (command + "/" + args.length) {
      case "status/1" -> status();
      case "move/3" -> print(send("POST", "/vips/" + segment(args[1]) + "/move", JSON.writeValueAsString(Map.of("node", args[2]))));
      case "drain/2" -> print(send("POST", "/nodes/" + segment(args[1]) + "/drain", null));
      case "undrain/2" -> print(send("POST", "/nodes/" + segment(args[1]) + "/undrain", null));
      case "remove/2" -> print(send("DELETE", "/vips/" + segment(args[1]), null));
      case "history/2" -> print(send("GET", "/vips/" + segment(args[1]) + "/history", null));
      default -> command.equals("add") && args.length >= 3 ? add(args) : usage();
    };
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

  private int status() throws IOException, InterruptedException {
    HttpResponse<String> response = send("GET", "/vips", null);
    if (response.statusCode() != 200) return print(response);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups = JSON.readValue(response.body(), List.class);
    System.out.print(VipTable.render(groups));
    return 0;
  }

  private int add(String[] args) throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode().put("name", args[1]);
    Arrays.stream(args[2].split(",")).forEach(body.putArray("addresses")::add);
    for (int i = 3; i < args.length; i += 2) {
      if (i + 1 >= args.length) return usage();
      switch (args[i]) {
        case "--prefer" -> Arrays.stream(args[i + 1].split(",")).forEach(body.putObject("placement").putArray("prefer")::add);
        case "--mode" -> body.put("mode", args[i + 1]);
        case "--vrid" -> body.put("virtual-router-id", Integer.parseInt(args[i + 1]));
        default -> { return usage(); }
      }
    }
    return print(send("POST", "/vips", body.toString()));
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

  private static int usage() {
    System.err.println(USAGE);
    return 2;
  }
}
