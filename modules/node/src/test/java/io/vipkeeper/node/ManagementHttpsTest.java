package io.vipkeeper.node;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.vipkeeper.config.SettingsException;
import io.vipkeeper.node.api.Access;
import io.vipkeeper.node.api.ManagementApi;
import io.vipkeeper.node.api.RecordingOperations;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Directives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.util.Comparator;

/** The management API over HTTPS with a certificate from bin/vipkeeper certs, and the CLI against it. */
class ManagementHttpsTest {

  private static Path certs;
  private static ActorSystem<Void> system;
  private static String base;
  private static SSLContext trust;

  @BeforeAll
  static void start() throws Exception {
    certs = Files.createTempDirectory("https-certs");
    Certs.make(certs, List.of("n1=127.0.0.1"));
    String password = Files.readString(certs.resolve("password")).trim();
    trust = TlsContexts.client(certs.resolve("trust.p12"), password);
    system = ActorSystem.create(Behaviors.empty(), "https", ConfigFactory.parseString("pekko.loglevel = WARNING")
        .withFallback(ConfigFactory.load()));
    ManagementApi api = new ManagementApi(new RecordingOperations(), new Access("t0ken", true),
        () -> CompletableFuture.completedFuture(""));
    var binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .enableHttps(ConnectionContext.httpsServer(TlsContexts.server(certs.resolve("n1.p12"), password)))
        .bind(api.route(Directives.reject())).toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "https://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() throws IOException {
    system.terminate();
    try (var files = Files.walk(certs)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  @Test
  void aClientThatTrustsTheClusterCaGetsAnswersOthersDoNot() throws Exception {
    HttpClient trusting = HttpClient.newBuilder().sslContext(trust).build();
    HttpResponse<String> vips = trusting.send(HttpRequest.newBuilder(URI.create(base + "/vips")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, vips.statusCode(), vips.body());
    HttpClient stranger = HttpClient.newHttpClient();
    assertThrows(IOException.class, () -> stranger.send(HttpRequest.newBuilder(URI.create(base + "/vips")).build(),
        HttpResponse.BodyHandlers.ofString()), "the JDK's default trust does not know the cluster CA");
  }

  @Test
  void theCliTalksHttpsWithTheTokenAndTheClusterCa() throws Exception {
    assertEquals(0, new Cli(base, "t0ken", trust).run(new String[] {"status"}));
    assertEquals(0, new Cli(base, "t0ken", trust).run(new String[] {"drain", "n2"}));
    assertEquals(1, new Cli(base, "wrong", trust).run(new String[] {"drain", "n2"}), "a refusal exits 1");
  }

  @Test
  void httpsWithoutAKeyStoreIsRefusedAtStartNamingTheFile() {
    String missing = certs.resolve("nope.p12").toString();
    SettingsException e = assertThrows(SettingsException.class, () -> StartupChecks.settings(NodeConfig.load(Optional.empty(),
        Map.of("VIPKEEPER_SEED_NODES", "198.18.0.11:25520", "VIPKEEPER_VIPS", "198.18.0.50/24", "VIPKEEPER_INSECURE", "on",
            "VIPKEEPER_HTTPS", "on", "VIPKEEPER_TLS_KEYSTORE", missing, "VIPKEEPER_DATA_DIR", certs.resolve("data").toString()))));
    assertTrue(e.getMessage().contains("VIPKEEPER_HTTPS") && e.getMessage().contains(missing), e.getMessage());
  }
}
