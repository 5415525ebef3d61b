package io.vipkeeper.ledger;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.Comparator;

/**
 * The epoch ledger on a real PostgreSQL server (Debian's package, started here on loopback in a
 * throw-away data directory) by configuration only: the same code as on the embedded H2.
 */
class PostgresJournalTest {

  private static Path dir;
  private static Path pgCtl;
  private static int port;

  @BeforeAll
  static void startServer() throws Exception {
    Optional<Path> bin = postgresBin();
    boolean root = "root".equals(System.getProperty("user.name"));
    // As root (CI runs as root, and bin/vipkeeper test installs PostgreSQL) a missing server fails.
    if (root && bin.isEmpty()) fail("PostgreSQL's initdb is missing under /usr/lib/postgresql/*/bin: apt-get install postgresql");
    assumeTrue(root, "needs root to run PostgreSQL as its own user: skipped");
    pgCtl = bin.get().resolve("pg_ctl");
    dir = Files.createTempDirectory("vkpg");
    run("chown", "postgres", dir.toString());
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    run("runuser", "-u", "postgres", "--", bin.get().resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
        "-A", "trust", "-U", "vipkeeper");
    run("runuser", "-u", "postgres", "--", pgCtl.toString(), "-D", dir.resolve("data").toString(), "-w", "-l",
        dir.resolve("log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start");
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (dir == null) return;
    run("runuser", "-u", "postgres", "--", pgCtl.toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "stop");
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static Config postgres() {
    return ConfigFactory.parseMap(Map.of("pekko-persistence-jdbc.shared-databases.vipkeeper.db.url",
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres"))
        .withFallback(ConfigFactory.parseString("""
            pekko.coordinated-shutdown.exit-jvm = off
            pekko.remote.artery.transport = tcp
            pekko.persistence.journal.plugin = "jdbc-journal"
            pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
            pekko-persistence-jdbc.shared-databases.vipkeeper {
              profile = "slick.jdbc.PostgresProfile$"
              db { user = "vipkeeper", password = "", driver = "org.postgresql.Driver" }
            }
            """))
        .withFallback(ConfigFactory.parseResources("vipkeeper-cluster.conf"))
        .withFallback(ConfigFactory.parseString("vipkeeper.data-dir = /tmp"))
        .withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void promisesAndHistorySurviveARestartOnPostgres() throws Exception {
    ActorTestKit first = ActorTestKit.create("pg", postgres().withValue("pekko.remote.artery.canonical.port",
        ConfigValueFactory.fromAnyRef(0)));
    try {
      Journal.prepare(first.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      TestProbe<EpochLedger.Notice> notices = first.createTestProbe();
      var ledger = first.spawn(EpochLedger.create("pg-node", notices.getRef()));
      assertEquals(new EpochLedger.Ready(Map.of(), Map.of()), notices.receiveMessage(Duration.ofSeconds(30)));
      TestProbe<EpochLedger.PromiseResult> promised = first.createTestProbe();
      ledger.tell(new EpochLedger.Promise("web", 9, promised.getRef()));
      assertTrue(promised.receiveMessage(Duration.ofSeconds(10)).promised());
      ledger.tell(new EpochLedger.Record("web", 9, true, "test"));
      TestProbe<EpochLedger.History> history = first.createTestProbe();
      ledger.tell(new EpochLedger.GetHistory(history.getRef()));
      assertEquals(2, history.receiveMessage().events().size());
    } finally {
      first.shutdownTestKit();
    }
    ActorTestKit second = ActorTestKit.create("pg", postgres().withValue("pekko.remote.artery.canonical.port",
        ConfigValueFactory.fromAnyRef(0)));
    try {
      TestProbe<EpochLedger.Notice> notices = second.createTestProbe();
      second.spawn(EpochLedger.create("pg-node", notices.getRef()));
      assertEquals(new EpochLedger.Ready(Map.of("web", 9L), Map.of("web", 9L)), notices.receiveMessage(Duration.ofSeconds(30)),
          "the promise and the holding came back from PostgreSQL");
    } finally {
      second.shutdownTestKit();
    }
  }

  private static Optional<Path> postgresBin() throws IOException {
    Path lib = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(lib)) return Optional.empty();
    try (var versions = Files.list(lib)) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))).findFirst();
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
  }
}
