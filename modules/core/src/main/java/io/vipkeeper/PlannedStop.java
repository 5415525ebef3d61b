package io.vipkeeper;

import io.vipkeeper.catalog.VipCatalog;
import io.vipkeeper.decider.Decider;
import io.vipkeeper.holder.InterfaceActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A planned stop of this node, while it is still a full member: the interface actor refuses claims
 * from now on, and the decider of every group moves what this node holds away (release here,
 * then claim there); done once each decider said its group is held elsewhere (or cannot move
 * now), or after the timeout. Started once: CoordinatedShutdown's first task and the daemon's
 * SIGTERM handler (which starts it before the JVM's shutdown hooks run) share it.
 */
final class PlannedStop {

  private final ActorSystem<?> system;
  private final ActorRef<InterfaceActor.Command> iface;
  private final ActorRef<VipCatalog.Command> catalog;
  private final Duration timeout;
  private CompletionStage<Done> started;

  PlannedStop(ActorSystem<?> system, ActorRef<InterfaceActor.Command> iface, ActorRef<VipCatalog.Command> catalog, Duration timeout) {
    this.system = system;
    this.iface = iface;
    this.catalog = catalog;
    this.timeout = timeout;
  }

  synchronized CompletionStage<Done> begin() {
    if (started == null) started = vacate();
    return started;
  }

  /**
   * The interface actor and the catalog are asked together, and every decider at once: a decider
   * whose group is held elsewhere answers at once, so no answer of this node's waits for another.
   */
  private CompletionStage<Done> vacate() {
    long deadline = System.nanoTime() + timeout.toNanos();
    String self = Cluster.get(system).selfMember().address().toString();
    CompletionStage<InterfaceActor.Vacating> vacating = AskPattern.ask(iface, InterfaceActor.Vacate::new, timeout, system.scheduler());
    CompletionStage<Done> moved = AskPattern.<VipCatalog.Command, VipCatalog.Snapshot>ask(catalog, VipCatalog.Get::new, timeout,
        system.scheduler()).thenCompose(snapshot -> {
          List<CompletableFuture<Done>> each = new ArrayList<>();
          snapshot.deciders().values().forEach(decider -> each.add(AskPattern.<Decider.Command, Done>ask(decider,
              replyTo -> new Decider.Vacate(self, replyTo), left(deadline), system.scheduler()).toCompletableFuture()));
          return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(all -> Done.getInstance());
        });
    return vacating.thenCombine(moved, (v, m) -> Done.getInstance()).exceptionally(failure -> {
      system.log().warn("STOPPING: not every group moved away within {} ms ({}); releasing the rest", timeout.toMillis(), failure.toString());
      return Done.getInstance();
    });
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }
}
