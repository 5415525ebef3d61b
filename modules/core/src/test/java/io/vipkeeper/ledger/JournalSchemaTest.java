package io.vipkeeper.ledger;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped journal DDL, run against a real H2 file database (PostgresJournalTest runs it on PostgreSQL). */
class JournalSchemaTest {

  private static Config h2(Path dir) {
    return ConfigFactory.parseMap(Map.of("profile", "slick.jdbc.H2Profile$", "db.url", "jdbc:h2:file:" + dir.resolve("epochs"),
        "db.driver", "org.h2.Driver"));
  }

  @Test
  void theTablesTheLedgerUsesAreCreatedAndASecondRunChangesNothing(@TempDir Path dir) throws Exception {
    assertEquals(4, Journal.statements("h2.sql").size(), Journal.statements("h2.sql").toString());
    assertEquals(4, Journal.statements("postgres.sql").size());
    Journal.createSchema(h2(dir));
    Journal.createSchema(h2(dir)); // a restart: every statement is idempotent
    List<String> tables = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("epochs"));
        ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
      while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
    }
    assertEquals(List.of("event_journal", "event_tag", "snapshot"), tables.stream().sorted().toList());
  }

  @Test
  void aDatabaseWithoutShippedSchemaSaysWhatToDo(@TempDir Path dir) {
    Config mysql = ConfigFactory.parseMap(Map.of("profile", "slick.jdbc.MySQLProfile$", "db.url", "jdbc:mysql://127.0.0.1/x"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Journal.createSchema(mysql));
    assertTrue(e.getMessage().contains("create-schema = off"), e.getMessage());
    Config readOnly = ConfigFactory.parseMap(Map.of("profile", "slick.jdbc.H2Profile$", "db.url", "jdbc:h2:file:/proc/vipkeeper-no/epochs"));
    CompletionException failed = assertThrows(CompletionException.class, () -> Journal.createSchema(readOnly));
    assertTrue(failed.getCause().getMessage().startsWith("cannot create the journal's tables (h2.sql)"), failed.getCause().getMessage());
  }
}
