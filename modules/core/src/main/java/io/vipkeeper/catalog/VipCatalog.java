package io.vipkeeper.catalog;

import io.vipkeeper.Ask;
import io.vipkeeper.decider.Decider;
import io.vipkeeper.decider.DeciderBoards;
import io.vipkeeper.decider.PlacementBoard;
import io.vipkeeper.holder.InterfaceActor;

import io.vipkeeper.CborSerializable;
import io.vipkeeper.LogSafe;
import io.vipkeeper.config.GroupDefinition;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.membership.Quorum;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.ORSet;
import org.apache.pekko.cluster.ddata.ORSetKey;
import org.apache.pekko.cluster.ddata.ReplicatedData;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import java.util.function.Function;

/**
 * This node's copy of the cluster-wide catalog: the VIP groups added at run time and the drained
 * nodes, kept in Distributed Data (replicated to every node, merged without coordination, stored
 * on each node's disk so they survive a restart of every node; a node that was down learns them
 * by gossip when it returns). A change is written to a majority before it is confirmed. For each
 * runtime group every node runs the group's singleton manager ({@link DeciderHosts}); this node's
 * interface actor learns which groups exist, so it releases a removed group and refuses claims
 * for groups it does not know.
 */
public final class VipCatalog {

  public sealed interface Command {}

  /** Add a group; {@code definition} is its HOCON/JSON block, kept as given. */
  public record Add(VipGroup group, String definition, ActorRef<Outcome> replyTo) implements Command {}

  public record Remove(String group, ActorRef<Outcome> replyTo) implements Command {}

  /** Drain (or undrain) a node by name: it gets no group and its groups move away. */
  public record Drain(String node, boolean drained, ActorRef<Outcome> replyTo) implements Command {}

  public record Get(ActorRef<Snapshot> replyTo) implements Command {}

  /** Sends {@link DrainedNodes} now and on every change. */
  public record WatchDrained(ActorRef<DrainedNodes> subscriber) implements Command {}

  /** The singletons of the groups in the config file (started by {@code VipKeeper}). */
  public record ConfiguredDeciders(Map<String, ActorRef<Decider.Command>> deciders) implements Command {}

  @SuppressWarnings("rawtypes")
  private record DataChanged(Replicator.SubscribeResponse response) implements Command {}

  /** A write's answer; {@code response} is null when the replicator did not answer. */
  @SuppressWarnings("rawtypes")
  private record Written(String what, ActorRef<Outcome> replyTo, Replicator.UpdateResponse response) implements Command {}

  private enum Retry implements Command { INSTANCE }

  public enum Result { DONE, INVALID, NOT_FOUND, CONFLICT, NOT_CONFIRMED, UNAVAILABLE }

  public record Outcome(Result result, String message) implements CborSerializable {}

  /**
   * Every group (configured first, then added at run time), which were added, and their singletons;
   * {@code setAside}: catalog entries this node skips (unreadable, or sharing an address), with why.
   */
  public record Snapshot(Map<String, VipGroup> groups, Set<String> runtime, Set<String> drained,
      Map<String, ActorRef<Decider.Command>> deciders, Map<String, String> setAside) {}

  public record DrainedNodes(Set<String> names) {}

  static final Key<LWWMap<String, String>> GROUPS = LWWMapKey.create("vipkeeper-groups");
  static final Key<ORSet<String>> DRAINED = ORSetKey.create("vipkeeper-drained");
  private static final Duration WRITE = Duration.ofSeconds(3);

  public static Behavior<Command> create(VipKeeperSettings settings, Quorum quorum, ActorRef<InterfaceActor.Command> iface,
      DeciderBoards boards, ActorRef<Replicator.Command> replicator, ActorRef<CatalogWriter.Command> writer) {
    return Behaviors.setup(context -> new VipCatalog(context, settings, replicator,
        new DeciderHosts(context, settings, quorum, boards), iface, boards.placement(), writer).behavior());
  }

  private final ActorContext<Command> context;
  private final Map<String, VipGroup> configured = new LinkedHashMap<>();
  private final Map<String, VipGroup> runtime = new TreeMap<>();
  private final Map<String, ActorRef<Decider.Command>> configuredDeciders = new HashMap<>();
  private final ActorRef<Replicator.Command> replicator;
  private final DeciderHosts hosts;
  private final ActorRef<InterfaceActor.Command> iface;
  private final ActorRef<PlacementBoard.Command> board;
  private final ActorRef<CatalogWriter.Command> writer;
  private final SelfUniqueAddress self;
  private final List<ActorRef<DrainedNodes>> drainWatchers = new ArrayList<>();
  private Set<String> drained = Set.of();
  private Map<String, String> setAside = Map.of();
  private LWWMap<String, String> last = LWWMap.create();

  private VipCatalog(ActorContext<Command> context, VipKeeperSettings settings, ActorRef<Replicator.Command> replicator,
      DeciderHosts hosts, ActorRef<InterfaceActor.Command> iface, ActorRef<PlacementBoard.Command> board,
      ActorRef<CatalogWriter.Command> writer) {
    this.context = context;
    this.writer = writer;
    this.replicator = replicator;
    this.hosts = hosts;
    this.iface = iface;
    this.board = board;
    this.self = DistributedData.get(context.getSystem()).selfUniqueAddress();
    settings.groups().forEach(g -> configured.put(g.name(), g));
    // One adapter for both keys (an actor has one adapter per message class); told apart by key.
    ActorRef<Replicator.SubscribeResponse> changes = context.messageAdapter(Replicator.SubscribeResponse.class, DataChanged::new);
    replicator.tell(new Replicator.Subscribe<>(GROUPS, changes.unsafeUpcast()));
    replicator.tell(new Replicator.Subscribe<>(DRAINED, changes.unsafeUpcast()));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Add.class, this::onAdd)
        .onMessage(Remove.class, this::onRemove)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(Get.class, g -> { g.replyTo().tell(snapshot()); return Behaviors.same(); })
        .onMessage(WatchDrained.class, w -> { drainWatchers.add(w.subscriber()); w.subscriber().tell(new DrainedNodes(drained)); return Behaviors.same(); })
        .onMessage(ConfiguredDeciders.class, c -> { configuredDeciders.putAll(c.deciders()); return Behaviors.same(); })
        .onMessage(DataChanged.class, this::onDataChanged)
        .onMessage(Retry.class, r -> onGroupsChanged(last))
        .onMessage(Written.class, this::onWritten)
        .build();
  }

  private Behavior<Command> onAdd(Add add) {
    Optional<String> clash = clash(add.group());
    if (clash.isPresent()) {
      add.replyTo().tell(new Outcome(Result.CONFLICT, clash.get()));
      return Behaviors.same();
    }
    // Checked here first (a quick answer), then by the one writer against a majority's catalog.
    writer.tell(new CatalogWriter.Add(add.group(), add.definition(), add.replyTo()));
    return Behaviors.same();
  }

  /** Why the group cannot be added: its name or one of its addresses is taken. */
  private Optional<String> clash(VipGroup group) {
    if (configured.containsKey(group.name())) return Optional.of("group " + group.name() + " is defined in the config file");
    if (runtime.containsKey(group.name())) return Optional.of("group " + group.name() + " exists; remove it first to change it");
    for (VipGroup other : allGroups().values()) {
      for (VipAddress a : group.addresses()) {
        if (other.addresses().stream().anyMatch(b -> b.ip().equals(a.ip()))) {
          return Optional.of(a.ip() + " already belongs to group " + other.name());
        }
      }
    }
    return Optional.empty();
  }

  private Behavior<Command> onRemove(Remove remove) {
    String name = remove.group();
    if (configured.containsKey(name)) {
      remove.replyTo().tell(new Outcome(Result.CONFLICT, "group " + name + " is defined in the config file; remove it there"));
    } else if (!runtime.containsKey(name) && !setAside.containsKey(name)) {
      remove.replyTo().tell(new Outcome(Result.NOT_FOUND, "no group " + name));
    } else {
      writer.tell(new CatalogWriter.Remove(name, remove.replyTo()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onDrain(Drain drain) {
    String node = drain.node();
    write("node " + node + (drain.drained() ? " drained" : " undrained"), drain.replyTo(), DRAINED, ORSet.create(),
        set -> drain.drained() ? set.add(self, node) : set.remove(self, node));
    return Behaviors.same();
  }

  /** Writes to a majority; the outcome says whether they confirmed in time. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private <A extends ReplicatedData> void write(String what, ActorRef<Outcome> outcome, Key<A> key, A initial,
      Function<A, A> modify) {
    Ask.ask(context, Replicator.UpdateResponse.class, replicator, WRITE.plusSeconds(1),
        replyTo -> new Replicator.Update<A>(key, initial, new Replicator.WriteMajority(WRITE), (ActorRef) replyTo, modify),
        (response, failure) -> new Written(what, outcome, response));
  }

  @SuppressWarnings("unchecked")
  private Behavior<Command> onDataChanged(DataChanged changed) {
    if (!(changed.response() instanceof Replicator.Changed<?> c)) return Behaviors.same();
    if (c.key().equals(GROUPS)) return onGroupsChanged(((Replicator.Changed<LWWMap<String, String>>) c).get(GROUPS));
    return onDrainedChanged(((Replicator.Changed<ORSet<String>>) c).get(DRAINED));
  }

  private Behavior<Command> onWritten(Written written) {
    if (written.response() instanceof Replicator.UpdateSuccess<?>) {
      context.getLog().info("CATALOG {}", written.what());
      written.replyTo().tell(new Outcome(Result.DONE, written.what()));
    } else {
      context.getLog().warn("CATALOG {} on this node, not yet confirmed by a majority: {}", written.what(), written.response());
      written.replyTo().tell(new Outcome(Result.NOT_CONFIRMED, written.what() + " on this node but not confirmed by a majority within "
          + WRITE.toSeconds() + " s; it spreads when the others are reachable"));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onGroupsChanged(LWWMap<String, String> catalog) {
    last = catalog;
    Map<String, String> skipped = new TreeMap<>();
    Map<String, VipGroup> now = readable(catalog, skipped);
    for (String gone : new ArrayList<>(runtime.keySet())) {
      // Removed, or removed and added again with another definition while this node was away.
      if (runtime.get(gone).equals(now.get(gone))) continue;
      context.getLog().info("CATALOG group {} is gone or changed: stopping its singleton here", gone);
      runtime.remove(gone);
      hosts.stop(gone);
      board.tell(new PlacementBoard.Forget(gone));
    }
    now.forEach((name, group) -> {
      if (runtime.containsKey(name) || configured.containsKey(name)) return;
      if (hosts.shuttingDown()) {
        context.getLog().info("CATALOG group {}: not starting its singleton here, this node is shutting down", name);
        return;
      }
      if (!hosts.start(group, context.getSelf())) {
        context.scheduleOnce(Duration.ofMillis(200), context.getSelf(), Retry.INSTANCE);
        return;
      }
      context.getLog().info("CATALOG group {} {}: started its singleton here", name, group.addresses());
      runtime.put(name, group);
    });
    iface.tell(new InterfaceActor.Catalogued(Map.copyOf(runtime)));
    if (!skipped.equals(setAside)) skipped.forEach((name, why) -> context.getLog().error("CATALOG group {} is set aside: {}", name, why));
    setAside = Map.copyOf(skipped);
    return Behaviors.same();
  }

  /**
   * The entries this node can use, by name. Reading is never fatal: an entry that does not parse, or
   * that lists an address a configured group or an earlier entry (by name) has, is set aside with
   * the reason. The choice depends on the catalog's content only, so every node that has the same
   * entries sets aside the same ones (two groups never claim one address from two nodes).
   */
  private Map<String, VipGroup> readable(LWWMap<String, String> catalog, Map<String, String> skipped) {
    Map<String, VipGroup> usable = new TreeMap<>();
    Map<String, String> owners = new HashMap<>();
    configured.values().forEach(g -> g.addresses().forEach(a -> owners.put(a.ip(), g.name())));
    new TreeMap<>(catalog.getEntries()).forEach((name, definition) -> {
      try {
        VipGroup group = GroupDefinition.parse(name, definition);
        Optional<String> taken = group.addresses().stream().filter(a -> owners.containsKey(a.ip()))
            .map(a -> a.ip() + " belongs to group " + owners.get(a.ip())).findFirst();
        if (taken.isPresent()) {
          skipped.put(name, taken.get());
          return;
        }
        group.addresses().forEach(a -> owners.put(a.ip(), name));
        usable.put(name, group);
      } catch (RuntimeException | StackOverflowError e) {
        skipped.put(name, "cannot be read: " + LogSafe.of(String.valueOf(e.getMessage())));
      }
    });
    return usable;
  }

  private Behavior<Command> onDrainedChanged(ORSet<String> set) {
    drained = Set.copyOf(set.getElements());
    context.getLog().info("CATALOG drained nodes: {}", drained);
    drainWatchers.forEach(w -> w.tell(new DrainedNodes(drained)));
    board.tell(new PlacementBoard.Drained(drained));
    return Behaviors.same();
  }

  private Map<String, VipGroup> allGroups() {
    Map<String, VipGroup> all = new LinkedHashMap<>(configured);
    all.putAll(runtime);
    return all;
  }

  private Snapshot snapshot() {
    Map<String, ActorRef<Decider.Command>> deciders = new HashMap<>(configuredDeciders);
    deciders.putAll(hosts.proxies());
    return new Snapshot(allGroups(), Set.copyOf(runtime.keySet()), drained, deciders, setAside);
  }
}
