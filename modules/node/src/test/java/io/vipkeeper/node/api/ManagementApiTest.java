package io.vipkeeper.node.api;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint and error status of the API, on a real server on loopback, against recorded operations. */
class ManagementApiTest {

  private static ActorSystem<Void> system;
  private static final HttpClient client = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RecordingOperations ops = new RecordingOperations();
  private static String open;
  private static ManagementApi openApi;
  private static String guarded;
  private static String tokenless;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "api", ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
    openApi = new ManagementApi(ops, new Access("", false), () -> CompletableFuture.completedFuture("vipkeeper_test_total 1\n"));
    open = bind(openApi);
    guarded = bind(new Access("s3cret", true));
    tokenless = bind(new Access("", true));
  }

  private static String bind(Access access) throws Exception {
    return bind(new ManagementApi(ops, access, () -> CompletableFuture.completedFuture("vipkeeper_test_total 1\n")));
  }

  private static String bind(ManagementApi api) throws Exception {
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(api.route(Directives.reject()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private record Answer(int status, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }

    String error() throws Exception {
      return json().get("error").asText();
    }
  }

  private static Answer call(String base, String method, String path, String body, String... headers) throws Exception {
    return call(client, base, method, path, body, headers);
  }

  /** On {@code http}: a server that refuses an unread body closes the connection, so such calls get a client each. */
  private static Answer call(HttpClient http, String base, String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) request.header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  @Test
  void readViewsAnswerWithJson() throws Exception {
    Answer vips = call(open, "GET", "/vips", null);
    assertEquals(200, vips.status(), vips.body());
    assertEquals("n1", vips.json().get(0).get("holder").asText());
    assertEquals(200, call(open, "GET", "/vips/web/history", null).status());
    Answer unknown = call(open, "GET", "/vips/nope/history", null);
    assertEquals(404, unknown.status());
    assertEquals("no group nope", unknown.error());
    assertEquals(200, call(open, "GET", "/cluster", null).status());
    assertEquals(200, call(open, "GET", "/ready", null).status());
    assertEquals(200, call(open, "GET", "/conflicts", null).status());
    Answer metrics = call(open, "GET", "/metrics", null);
    assertEquals(200, metrics.status());
    assertTrue(metrics.body().contains("vipkeeper_test_total 1"), metrics.body());
    Answer missing = call(open, "GET", "/nothing/here", null);
    assertEquals(404, missing.status());
    assertTrue(missing.error().contains("GET /nothing/here"), missing.body());
  }

  @Test
  void changingCallsReachTheOperationsWithTheirArguments() throws Exception {
    assertEquals(201, call(open, "POST", "/vips", "{\"name\":\"api\",\"addresses\":[\"198.18.0.60/24\"]}").status());
    assertEquals(409, call(open, "POST", "/vips", "{\"name\":\"web\",\"addresses\":[\"198.18.0.61/24\"]}").status());
    assertEquals(200, call(open, "DELETE", "/vips/web", null).status());
    assertEquals(404, call(open, "DELETE", "/vips/nope", null).status());
    assertEquals(200, call(open, "POST", "/vips/web/move", "{\"node\":\"n2\"}").status());
    Answer drainedTarget = call(open, "POST", "/vips/web/move", "{\"node\":\"n3\"}");
    assertEquals(409, drainedTarget.status());
    assertTrue(drainedTarget.error().contains("drained"), drainedTarget.body());
    assertEquals(404, call(open, "POST", "/vips/nope/move", "{\"node\":\"n2\"}").status());
    assertEquals(200, call(open, "POST", "/nodes/n2/drain", null).status());
    assertEquals(200, call(open, "POST", "/nodes/n2/undrain", null).status());
    assertEquals(404, call(open, "POST", "/nodes/x9/drain", null).status());
    synchronized (ops.calls) {
      assertTrue(ops.calls.containsAll(List.of("move web n2", "move web n3", "drain n2", "undrain n2", "remove web")), ops.calls.toString());
    }
  }

  @Test
  void badBodiesAre400WithTheReason() throws Exception {
    Answer malformed = call(open, "POST", "/vips", "{\"name\": \"api\", \"addresses\": [");
    assertEquals(400, malformed.status(), malformed.body());
    assertTrue(malformed.error().startsWith("the body is not valid JSON"), malformed.body());
    Answer notAnObject = call(open, "POST", "/vips", "[1,2]");
    assertEquals(400, notAnObject.status());
    assertEquals("the body must be a JSON object", notAnObject.error());
    Answer noNode = call(open, "POST", "/vips/web/move", "{\"to\":\"n2\"}");
    assertEquals(400, noNode.status());
    assertTrue(noNode.error().contains("\"node\""), noNode.body());
    assertEquals(400, call(open, "POST", "/vips/web/move", "not json").status());
  }

  @Test
  void theTokenGuardsChangingCallsButNotReads() throws Exception {
    int before = ops.calls.size();
    Answer none = call(guarded, "POST", "/nodes/n1/drain", null);
    assertEquals(401, none.status(), none.body());
    Answer wrong = call(guarded, "POST", "/nodes/n1/drain", null, "Authorization", "Bearer nope");
    assertEquals(401, wrong.status());
    assertEquals("the token is wrong", wrong.error());
    assertEquals(before, ops.calls.size(), "a refused call never reaches the operations: " + ops.calls);
    assertEquals(200, call(guarded, "POST", "/nodes/n1/drain", null, "Authorization", "Bearer s3cret").status());
    assertEquals(200, call(guarded, "GET", "/vips", null).status(), "reads need no token");
    Answer unconfigured = call(tokenless, "DELETE", "/vips/web", null);
    assertEquals(403, unconfigured.status());
    assertTrue(unconfigured.error().contains("VIPKEEPER_HTTP_TOKEN"), unconfigured.body());
  }

  @Test
  void aMinorityNodeRefusesChangesWith503() throws Exception {
    ops.majority = false;
    try {
      Answer refused = call(open, "POST", "/nodes/n1/drain", null);
      assertEquals(503, refused.status());
      assertTrue(refused.error().contains("majority"), refused.body());
      assertEquals(200, call(open, "GET", "/vips", null).status());
    } finally {
      ops.majority = true;
    }
  }

  @Test
  void requireTokenAutoFollowsTheBindAddress() {
    assertFalse(Access.of("auto", "", "127.0.0.1").required());
    assertTrue(Access.of("auto", "", "198.18.0.11").required());
    assertTrue(Access.of("auto", "t", "127.0.0.1").required());
    assertFalse(Access.of("off", "", "198.18.0.11").required());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Access.of("maybe", "", "127.0.0.1"));
    assertTrue(bad.getMessage().contains("auto, on, off"), bad.getMessage());
  }

  /**
   * A client that declares a 7 MB body gets its refusal before it has sent a byte of it: the token
   * first, then the declared size. (A client that pushes such a body regardless may see the
   * connection closed before the answer: the server closes with the body unread, which TCP can turn
   * into a reset; the HTTP client's Expect: 100-continue hangs on JDK 17 when the answer is final.)
   */
  @Test
  void strangersAreRefusedBeforeTheirBodyIsRead() throws Exception {
    int before = ops.calls.size();
    int huge = 7 * 1024 * 1024;
    String noToken = headOfPost(guarded, "/vips", huge);
    assertTrue(noToken.startsWith("HTTP/1.1 401"), "the token is checked first, with no byte of the body sent: " + noToken);
    String tooLarge = headOfPost(guarded, "/vips", huge, "Authorization: Bearer s3cret");
    assertTrue(tooLarge.startsWith("HTTP/1.1 413") && tooLarge.contains("64 KB"), "refused by its declared size: " + tooLarge);
    assertEquals(before, ops.calls.size(), "nothing reached the operations: " + ops.calls);
  }

  /** Sends only the head of a POST that declares {@code length} bytes of JSON; returns the whole answer. */
  private static String headOfPost(String base, String path, int length, String... headers) throws Exception {
    URI uri = URI.create(base);
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost()
          + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n");
      for (String h : headers) head.append(h).append("\r\n");
      socket.getOutputStream().write(head.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // The server closes the connection after a refusal whose body it did not read.
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void browserRequestsAndNonJsonBodiesAreRefused() throws Exception {
    int before = ops.calls.size();
    Answer fromAPage = call(open, "POST", "/nodes/n1/drain", null, "Origin", "http://evil.example");
    assertEquals(403, fromAPage.status(), fromAPage.body());
    assertTrue(fromAPage.error().contains("browser"), fromAPage.body());
    HttpRequest plain = HttpRequest.newBuilder(URI.create(open + "/vips")).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"api\",\"addresses\":[\"198.18.0.60/24\"]}")).build();
    HttpResponse<String> textPlain = client.send(plain, HttpResponse.BodyHandlers.ofString());
    assertEquals(415, textPlain.statusCode(), textPlain.body());
    assertEquals(before, ops.calls.size(), "nothing reached the operations: " + ops.calls);
  }

  @Test
  void deepJsonIsRefusedWhileParsing() throws Exception {
    String deep = "{\"name\":\"x\",\"addresses\":" + "[".repeat(999) + "]".repeat(999) + "}";
    Answer answer = call(open, "POST", "/vips", deep);
    assertEquals(400, answer.status(), answer.body());
    assertTrue(answer.error().contains("nesting depth"), answer.body());
  }

  @Test
  void unknownPathsAreEchoedWithoutControlCharacters() throws Exception {
    Answer answer = call(open, "GET", "/x%0Aforged%20line", null);
    assertEquals(404, answer.status());
    assertFalse(answer.error().contains("\n"), answer.body());
  }

  @Test
  void atMostMaxInFlightRequestsAtOnceTheRestAre503AndFailuresGiveTheirSlotBack() throws Exception {
    CompletableFuture<Reply> gate = new CompletableFuture<>();
    ops.conflictsGate = gate;
    try {
      List<CompletableFuture<HttpResponse<String>>> held = new java.util.ArrayList<>();
      for (int i = 0; i < ManagementApi.MAX_IN_FLIGHT; i++) {
        held.add(HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create(open + "/conflicts")).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (openApi.inFlight() < ManagementApi.MAX_IN_FLIGHT && System.nanoTime() < deadline) Thread.sleep(50);
      assertEquals(ManagementApi.MAX_IN_FLIGHT, openApi.inFlight(), "the held requests arrived");
      Answer busy = call(HttpClient.newHttpClient(), open, "GET", "/vips", null);
      assertEquals(503, busy.status(), busy.body());
      assertTrue(busy.error().startsWith("busy"), busy.body());
      gate.completeExceptionally(new IllegalStateException("pekko://secret/user/actor-path"));
      for (CompletableFuture<HttpResponse<String>> h : held) {
        HttpResponse<String> r = h.get(10, TimeUnit.SECONDS);
        assertEquals(500, r.statusCode());
        assertFalse(r.body().contains("pekko://"), "no internals: " + r.body());
      }
      assertEquals(200, call(HttpClient.newHttpClient(), open, "GET", "/vips", null).status(), "the slots came back");
    } finally {
      ops.conflictsGate = null;
    }
  }
}
