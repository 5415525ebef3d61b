package io.vipkeeper.ledger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/** Gets the journal ready before the ledger recovers from it: JDBC tables are created if missing. */
public final class Journal {

  private Journal() {}

  public static CompletionStage<Done> prepare(ActorSystem<?> system) {
    if (!"jdbc-journal".equals(system.settings().config().getString("pekko.persistence.journal.plugin"))) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return SchemaUtils.createIfNotExists(system);
  }
}
