package io.vipkeeper.ledger;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Gets the journal ready before the ledger recovers from it: the tables the ledger uses are
 * created if missing, by the DDL shipped in {@code vipkeeper/schema/} (H2, PostgreSQL), on
 * Pekko's blocking dispatcher. Off with {@code vipkeeper.journal.create-schema = off}, for a
 * database whose schema is managed elsewhere.
 */
public final class Journal {

  private static final String SHARED = "pekko-persistence-jdbc.shared-databases.vipkeeper";

  private Journal() {}

  public static CompletionStage<Done> prepare(ActorSystem<?> system) {
    Config config = system.settings().config();
    boolean create = !config.hasPath("vipkeeper.journal.create-schema") || config.getBoolean("vipkeeper.journal.create-schema");
    if (!"jdbc-journal".equals(config.getString("pekko.persistence.journal.plugin")) || !create) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return CompletableFuture.supplyAsync(() -> {
      createSchema(config.getConfig(SHARED));
      return Done.getInstance();
    }, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /** Runs the shipped DDL for the shared database's profile; every statement is idempotent. */
  static void createSchema(Config shared) {
    String profile = shared.getString("profile");
    String script = profile.contains("H2") ? "h2.sql" : profile.contains("Postgres") ? "postgres.sql" : null;
    if (script == null) {
      throw new IllegalStateException("vipkeeper ships the journal's schema for H2 and PostgreSQL, not for " + profile
          + ": create pekko-persistence-jdbc's tables for it yourself and set vipkeeper.journal.create-schema = off");
    }
    Config db = shared.getConfig("db");
    Properties login = new Properties();
    if (db.hasPath("user")) login.setProperty("user", db.getString("user"));
    if (db.hasPath("password")) login.setProperty("password", db.getString("password"));
    try {
      if (db.hasPath("driver")) Class.forName(db.getString("driver"));
      try (Connection connection = DriverManager.getConnection(db.getString("url"), login); Statement statement = connection.createStatement()) {
        for (String sql : statements(script)) statement.execute(sql);
      }
    } catch (SQLException | ClassNotFoundException e) {
      throw new CompletionException(new IllegalStateException("cannot create the journal's tables (" + script + "): " + e.getMessage(), e));
    }
  }

  /** The script's statements: comment lines dropped, split at ';'. */
  static List<String> statements(String script) {
    try (InputStream in = Journal.class.getResourceAsStream("/vipkeeper/schema/" + script)) {
      if (in == null) throw new IllegalStateException("the jar lacks vipkeeper/schema/" + script);
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.strip().startsWith("--")).reduce("", (a, b) -> a + b + "\n");
      return Arrays.stream(text.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read vipkeeper/schema/" + script + ": " + e.getMessage(), e);
    }
  }
}
