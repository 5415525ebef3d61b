package io.vipkeeper.node;

import io.vipkeeper.holder.InterfaceActor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * pekko-management readiness check (GET /health/ready): this node's interface actor can hold
 * VIPs (link up, health check passing, journal read, quorum). Membership is checked by
 * pekko-management's own cluster-membership check beside it.
 */
public final class InterfaceReadiness implements Supplier<CompletionStage<Boolean>> {

  private static final Duration ASK = Duration.ofSeconds(2);
  private final org.apache.pekko.actor.typed.ActorSystem<Void> system;

  public InterfaceReadiness(ActorSystem system) {
    this.system = Adapter.toTyped(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            replyTo -> Receptionist.find(InterfaceActor.KEY, replyTo), ASK, system.scheduler())
        .thenCompose(listing -> listing.getServiceInstances(InterfaceActor.KEY).stream()
            .filter(ref -> ref.path().address().hasLocalScope()).findFirst()
            .map(this::canClaim).orElse(CompletableFuture.completedFuture(false)));
  }

  private CompletionStage<Boolean> canClaim(ActorRef<InterfaceActor.Command> local) {
    return AskPattern.<InterfaceActor.Command, InterfaceActor.Holdings>ask(local, InterfaceActor.QueryHoldings::new, ASK,
        system.scheduler()).thenApply(InterfaceActor.Holdings::canClaim);
  }
}
