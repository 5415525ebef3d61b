package io.vipkeeper;

import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.decider.DeciderBoards;
import io.vipkeeper.decider.PlacementBoard;
import io.vipkeeper.decider.RenewalWatch;
import io.vipkeeper.catalog.CatalogWriter;
import io.vipkeeper.catalog.VipCatalog;
import io.vipkeeper.decider.Decider;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.kernel.KernelDrivers;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.config.SafetyTiming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorSettings;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import java.util.function.Supplier;

/**
 * Runs vipkeeper inside an ActorSystem with the cluster provider: the daemon's and any embedding
 * service's way in. Starts this node's {@link InterfaceActor} and one {@link Decider} singleton
 * per group, and releases every VIP during CoordinatedShutdown. One per ActorSystem, as a Pekko
 * extension: {@link #get} starts it on first use (from the system's config, with the real
 * drivers) and returns the running one after; {@link #start} with explicit drivers comes first or not at all.
 */
public final class VipKeeper {

  /** The extension: one slot per ActorSystem for its running VipKeeper. */
  private static final class Slot implements Extension {
    private VipKeeper running;

    synchronized VipKeeper getOrStart(Supplier<VipKeeper> start) {
      if (running == null) running = start.get();
      return running;
    }

    synchronized VipKeeper startOnce(ActorSystem<?> system, Supplier<VipKeeper> start) {
      if (running != null) {
        throw new IllegalStateException("vipkeeper already runs in ActorSystem " + system.name() + ": use VipKeeper.get(system)");
      }
      running = start.get();
      return running;
    }
  }

  private static final ExtensionId<Slot> SLOT = new ExtensionId<>() {
    @Override
    public Slot createExtension(ActorSystem<?> system) {
      return new Slot();
    }
  };

  /** The VipKeeper of {@code system}: started now (system config, kernel and pcap drivers) unless it runs already. */
  public static VipKeeper get(ActorSystem<?> system) {
    return SLOT.apply(system).getOrStart(() -> {
      VipKeeperSettings settings = VipKeeperSettings.create(system.settings().config());
      return run(system, settings, KernelDrivers.open(settings));
    });
  }

  private final ActorRef<InterfaceActor.Command> interfaceActor;
  private final ActorRef<VipCatalog.Command> catalog;
  private final Map<String, ActorRef<Decider.Command>> deciders;

  private VipKeeper(ActorRef<InterfaceActor.Command> interfaceActor, ActorRef<VipCatalog.Command> catalog,
      Map<String, ActorRef<Decider.Command>> deciders) {
    this.interfaceActor = interfaceActor;
    this.catalog = catalog;
    this.deciders = deciders;
  }

  /** Starts with the settings in the system's config and the real kernel and pcap drivers; fails if it runs already. */
  public static VipKeeper start(ActorSystem<?> system) {
    VipKeeperSettings settings = VipKeeperSettings.create(system.settings().config());
    return start(system, settings, KernelDrivers.open(settings));
  }

  /** Starts with explicit settings and drivers (tests pass fakes here); fails if it runs already in {@code system}. */
  public static VipKeeper start(ActorSystem<?> system, VipKeeperSettings settings, Drivers drivers) {
    return SLOT.apply(system).startOnce(system, () -> run(system, settings, drivers));
  }

  private static VipKeeper run(ActorSystem<?> system, VipKeeperSettings settings, Drivers drivers) {
    SafetyTiming.check(system.settings().config());
    if (ForkJoinPool.getCommonPoolParallelism() < 2) {
      system.log().warn("the common ForkJoinPool has one worker (fewer than 3 cores): each CompletionStage callback of Pekko's Java"
          + " API starts a thread; start the JVM with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
    }
    Quorum quorum = Quorum.of(system.settings().config());
    NodeIdentity node = NodeIdentity.of(system, settings.nodeName());
    ActorRef<InterfaceActor.Command> iface = system.systemActorOf(
        InterfaceActor.create(settings, node, drivers, quorum),
        "vipkeeper-interface-" + settings.interfaceName(),
        DispatcherSelector.fromConfig("vipkeeper.interface-dispatcher"));
    // Every node has one; the deciders use the one on the node they run on (the oldest).
    ActorRef<PlacementBoard.Command> board = system.systemActorOf(PlacementBoard.create(settings.rebalanceInterval()),
        "vipkeeper-placement", Props.empty());
    ActorRef<RenewalWatch.Command> renewals = system.systemActorOf(
        RenewalWatch.create(settings.lease().renewInterval(), settings.lease().suspectAfter()), "vipkeeper-renewals",
        InterfaceActor.LEASE_DISPATCHER);
    DeciderBoards boards = new DeciderBoards(board, renewals);
    ActorRef<Replicator.Command> replicator = system.systemActorOf(Replicator.behavior(
        ReplicatorSettings.create(system.settings().config().getConfig("vipkeeper.catalog.replicator"))),
        "vipkeeper-replicator", Props.empty());
    Map<String, VipGroup> configured = new LinkedHashMap<>();
    settings.groups().forEach(g -> configured.put(g.name(), g));
    ActorRef<CatalogWriter.Command> writer = ClusterSingleton.get(system).init(
        SingletonActor.of(CatalogWriter.create(Map.copyOf(configured), replicator), "vipkeeper-catalog-writer"));
    ActorRef<VipCatalog.Command> catalog = system.systemActorOf(VipCatalog.create(settings, quorum, iface, boards, replicator, writer),
        "vipkeeper-catalog", Props.empty());
    Map<String, ActorRef<Decider.Command>> deciders = new LinkedHashMap<>();
    for (VipGroup group : settings.groups()) {
      deciders.put(group.name(), ClusterSingleton.get(system).init(
          SingletonActor.of(Decider.create(group, settings, quorum, boards, catalog), "vipkeeper-owner-" + group.name())
              .withStopMessage(Decider.HandOver.INSTANCE).withProps(InterfaceActor.LEASE_DISPATCHER)));
    }
    catalog.tell(new VipCatalog.ConfiguredDeciders(Map.copyOf(deciders)));
    if (!settings.vacateTimeout().isZero()) vacateOnShutdown(system, iface, catalog, settings.vacateTimeout());
    releaseOnShutdown(system, iface, drivers, settings.releaseTimeout());
    WireWarmup.schedule(system, settings.wireWarmupAfter());
    return new VipKeeper(iface, catalog, Map.copyOf(deciders));
  }

  /** Ownership changes of this node (what it holds now first), e.g. to serve only while holding. */
  public void subscribe(ActorRef<OwnershipChanged> subscriber) {
    interfaceActor.tell(new InterfaceActor.WatchOwnership(subscriber));
  }

  public ActorRef<InterfaceActor.Command> interfaceActor() {
    return interfaceActor;
  }

  /** The cluster-wide catalog: groups added at run time, drained nodes, every group's decider. */
  public ActorRef<VipCatalog.Command> catalog() {
    return catalog;
  }

  /** The deciders of the groups in the config file (the catalog's snapshot has every group's). */
  public Map<String, ActorRef<Decider.Command>> deciders() {
    return deciders;
  }

  /**
   * First in shutdown, while this node is still a full member: its groups' deciders move them away
   * (release here, then claim there), and the node goes on leaving once each decider said its group
   * is held elsewhere (or cannot move now), or after {@code timeout}. Whatever is still held then
   * goes in the release task below.
   */
  private static void vacateOnShutdown(ActorSystem<?> system, ActorRef<InterfaceActor.Command> iface,
      ActorRef<VipCatalog.Command> catalog, Duration timeout) {
    String self = Cluster.get(system).selfMember().address().toString();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "vipkeeper-vacate", () -> {
      long deadline = System.nanoTime() + timeout.toNanos();
      CompletionStage<InterfaceActor.Vacating> vacating = AskPattern.ask(iface, InterfaceActor.Vacate::new, timeout, system.scheduler());
      return vacating.thenCompose(v -> {
        if (v.held().isEmpty()) return CompletableFuture.completedFuture(Done.getInstance());
        return AskPattern.<VipCatalog.Command, VipCatalog.Snapshot>ask(catalog, VipCatalog.Get::new, left(deadline), system.scheduler())
            .thenCompose(snapshot -> {
              // Each decider answers once its group is held elsewhere: until then this node stays a
              // full member, and its shutdown work does not compete with the move.
              List<CompletableFuture<Done>> moved = new ArrayList<>();
              v.held().forEach(group -> {
                ActorRef<Decider.Command> decider = snapshot.deciders().get(group);
                if (decider != null) {
                  moved.add(AskPattern.<Decider.Command, Done>ask(decider, replyTo -> new Decider.Vacate(self, replyTo),
                      left(deadline), system.scheduler()).toCompletableFuture());
                }
              });
              return CompletableFuture.allOf(moved.toArray(CompletableFuture[]::new)).thenApply(all -> Done.getInstance());
            });
      }).exceptionally(failure -> {
        system.log().warn("STOPPING: not every group moved away within {} ms ({}); releasing the rest", timeout.toMillis(), failure.toString());
        return Done.getInstance();
      });
    });
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  /** Late in shutdown, after the singletons handed over: whatever is still held goes. */
  private static void releaseOnShutdown(
      ActorSystem<?> system, ActorRef<InterfaceActor.Command> iface, Drivers drivers, Duration timeout) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseClusterShutdown(), "vipkeeper-release",
        () -> AskPattern.<InterfaceActor.Command, Done>ask(iface, replyTo -> new InterfaceActor.Retire("shutdown", replyTo),
            timeout, system.scheduler()));
    shutdown.addTask(CoordinatedShutdown.PhaseActorSystemTerminate(), "vipkeeper-close-drivers",
        () -> {
          drivers.announcer().close();
          drivers.sensor().close();
          drivers.fence().close();
          if (drivers.driver() instanceof AutoCloseable closeable) {
            try {
              closeable.close();
            } catch (Exception e) {
              system.log().warn("closing the interface driver: {}", e.toString());
            }
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }
}
