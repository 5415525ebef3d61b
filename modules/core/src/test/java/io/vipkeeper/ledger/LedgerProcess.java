package io.vipkeeper.ledger;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A ledger in a JVM of its own on the shipped journal (vipkeeper-cluster.conf: H2 files in
 * {@code args[0]}), for {@link KilledLedgerTest}. {@code promise GROUP EPOCH}: once the ledger
 * has promised, print {@code PROMISED} and halt at once, as kill -9 does (no hook, no flush).
 * {@code read}: print what the ledger recovered ({@code READY promised=...}) and exit.
 */
public final class LedgerProcess {

  private LedgerProcess() {}

  public static void main(String[] args) throws Exception {
    Config config = ConfigFactory.parseMap(Map.of("vipkeeper.data-dir", args[0], "pekko.actor.provider", "local",
            "pekko.loglevel", "WARNING"))
        .withFallback(ConfigFactory.parseResources("vipkeeper-cluster.conf"))
        .withFallback(ConfigFactory.defaultReference()).resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
      Journal.prepare(context.getSystem()).toCompletableFuture().join();
      ActorRef<EpochLedger.Command> ledger = context.spawn(EpochLedger.create("n1", context.spawn(report(args), "report")), "ledger");
      if (args[1].equals("promise")) context.spawn(promise(ledger, args[2], Long.parseLong(args[3])), "promise");
      return Behaviors.empty();
    }), "ledger", config);
    system.getWhenTerminated().toCompletableFuture().join();
  }

  private static Behavior<EpochLedger.Notice> report(String[] args) {
    return Behaviors.receiveMessage(notice -> {
      if (notice instanceof EpochLedger.Ready ready && args[1].equals("read")) {
        System.out.println("READY promised=" + ready.promised());
        System.exit(0);
      }
      return Behaviors.same();
    });
  }

  /** Asks until the ledger promises (it refuses while it catches up at start), then halts. */
  private static Behavior<EpochLedger.PromiseResult> promise(ActorRef<EpochLedger.Command> ledger, String group, long epoch) {
    return Behaviors.setup(context -> {
      ledger.tell(new EpochLedger.Promise(group, epoch, "n1", context.getSelf()));
      return Behaviors.receiveMessage(result -> {
        if (result.promised()) {
          System.out.println("PROMISED " + result.epoch());
          System.out.flush();
          Runtime.getRuntime().halt(9);
        }
        context.scheduleOnce(Duration.ofMillis(100), ledger, new EpochLedger.Promise(group, epoch, "n1", context.getSelf()));
        return Behaviors.same();
      });
    });
  }
}
