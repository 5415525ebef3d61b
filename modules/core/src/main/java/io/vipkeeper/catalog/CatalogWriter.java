package io.vipkeeper.catalog;

import io.vipkeeper.Ask;
import io.vipkeeper.CborSerializable;
import io.vipkeeper.config.GroupDefinition;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * The one writer of the group catalog (a cluster singleton): adds and removes are taken one at a
 * time, each reads the catalog from a majority, checks names and addresses against it, and writes
 * to a majority. Two adds of one address, sent to two nodes at once, are therefore ordered here and
 * the second is refused: the check and the write are one step for the whole cluster. (A majority
 * read sees every confirmed write, also those of an earlier writer on another node.)
 */
public final class CatalogWriter {

  public sealed interface Command extends CborSerializable {}

  /** Add {@code group} (stored as {@code definition}, JSON) unless its name or an address is taken. */
  public record Add(VipGroup group, String definition, ActorRef<VipCatalog.Outcome> replyTo) implements Command {}

  public record Remove(String group, ActorRef<VipCatalog.Outcome> replyTo) implements Command {}

  @SuppressWarnings("rawtypes")
  private record Read(Command change, Replicator.GetResponse response) implements Command {}

  @SuppressWarnings("rawtypes")
  private record Wrote(Command change, Replicator.UpdateResponse response) implements Command {}

  private static final Duration MAJORITY = Duration.ofSeconds(3);

  public static Behavior<Command> create(Map<String, VipGroup> configured, ActorRef<Replicator.Command> replicator) {
    return Behaviors.withStash(100, stash -> Behaviors.setup(context -> new CatalogWriter(context, configured, replicator, stash).idle()));
  }

  private final ActorContext<Command> context;
  private final Map<String, VipGroup> configured;
  private final ActorRef<Replicator.Command> replicator;
  private final StashBuffer<Command> stash;
  private final SelfUniqueAddress self;

  private CatalogWriter(ActorContext<Command> context, Map<String, VipGroup> configured, ActorRef<Replicator.Command> replicator,
      StashBuffer<Command> stash) {
    this.context = context;
    this.configured = configured;
    this.replicator = replicator;
    this.stash = stash;
    this.self = DistributedData.get(context.getSystem()).selfUniqueAddress();
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(Add.class, this::read)
        .onMessage(Remove.class, this::read)
        .build();
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private Behavior<Command> read(Command change) {
    Ask.ask(context, Replicator.GetResponse.class, replicator, MAJORITY.plusSeconds(1),
        replyTo -> new Replicator.Get(VipCatalog.GROUPS, new Replicator.ReadMajority(MAJORITY), (ActorRef) replyTo),
        (response, failure) -> new Read(change, response));
    return busy();
  }

  /** One change at a time: the others wait their turn. */
  private Behavior<Command> busy() {
    return Behaviors.receive(Command.class)
        .onMessage(Read.class, this::onRead)
        .onMessage(Wrote.class, this::onWrote)
        .onAnyMessage(m -> {
          if (stash.isFull()) reply(m, VipCatalog.Result.UNAVAILABLE, "too many catalog changes at once; try again");
          else stash.stash(m);
          return Behaviors.same();
        })
        .build();
  }

  @SuppressWarnings("unchecked")
  private Behavior<Command> onRead(Read read) {
    LWWMap<String, String> entries;
    if (read.response() instanceof Replicator.GetSuccess<?> ok) entries = ((Replicator.GetSuccess<LWWMap<String, String>>) ok).get(VipCatalog.GROUPS);
    else if (read.response() instanceof Replicator.NotFound<?>) entries = LWWMap.create();
    else return done(read.change(), VipCatalog.Result.UNAVAILABLE, "the catalog could not be read from a majority of the nodes; try again");
    Optional<String> refusal = read.change() instanceof Add add ? clash(add.group(), entries.getEntries())
        : missing(((Remove) read.change()).group(), entries.getEntries());
    if (refusal.isPresent()) {
      VipCatalog.Result result = read.change() instanceof Add ? VipCatalog.Result.CONFLICT : refusal.get().startsWith("no group")
          ? VipCatalog.Result.NOT_FOUND : VipCatalog.Result.CONFLICT;
      return done(read.change(), result, refusal.get());
    }
    write(read.change());
    return Behaviors.same();
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private void write(Command change) {
    Ask.ask(context, Replicator.UpdateResponse.class, replicator, MAJORITY.plusSeconds(1),
        replyTo -> new Replicator.Update<LWWMap<String, String>>(VipCatalog.GROUPS, LWWMap.create(), new Replicator.WriteMajority(MAJORITY),
            (ActorRef) replyTo, map -> change instanceof Add add ? map.put(self, add.group().name(), add.definition())
                : map.remove(self, ((Remove) change).group())),
        (response, failure) -> new Wrote(change, response));
  }

  private Behavior<Command> onWrote(Wrote wrote) {
    String what = wrote.change() instanceof Add add ? "group " + add.group().name() + " added" : "group " + ((Remove) wrote.change()).group() + " removed";
    if (wrote.response() instanceof Replicator.UpdateSuccess<?>) {
      context.getLog().info("CATALOG {}", what);
      return done(wrote.change(), VipCatalog.Result.DONE, what);
    }
    context.getLog().warn("CATALOG {} here, not yet confirmed by a majority: {}", what, wrote.response());
    return done(wrote.change(), VipCatalog.Result.NOT_CONFIRMED, what + " but not confirmed by a majority within "
        + MAJORITY.toSeconds() + " s; it spreads when the others are reachable");
  }

  private Behavior<Command> done(Command change, VipCatalog.Result result, String message) {
    reply(change, result, message);
    return stash.unstashAll(idle());
  }

  private static void reply(Command change, VipCatalog.Result result, String message) {
    ActorRef<VipCatalog.Outcome> to = change instanceof Add add ? add.replyTo() : change instanceof Remove r ? r.replyTo() : null;
    if (to != null) to.tell(new VipCatalog.Outcome(result, message));
  }

  /** Why {@code group} cannot be added to {@code entries}: its name or one of its addresses is taken. */
  Optional<String> clash(VipGroup group, Map<String, String> entries) {
    if (configured.containsKey(group.name())) return Optional.of("group " + group.name() + " is defined in the config file");
    if (entries.containsKey(group.name())) return Optional.of("group " + group.name() + " exists; remove it first to change it");
    Map<String, String> owners = new HashMap<>();
    configured.values().forEach(g -> g.addresses().forEach(a -> owners.put(a.ip(), g.name())));
    entries.forEach((name, definition) -> readable(name, definition).ifPresent(g -> g.addresses().forEach(a -> owners.put(a.ip(), name))));
    for (VipAddress a : group.addresses()) {
      if (owners.containsKey(a.ip())) return Optional.of(a.ip() + " already belongs to group " + owners.get(a.ip()));
    }
    return Optional.empty();
  }

  private Optional<String> missing(String name, Map<String, String> entries) {
    if (configured.containsKey(name)) return Optional.of("group " + name + " is defined in the config file; remove it there");
    return entries.containsKey(name) ? Optional.empty() : Optional.of("no group " + name);
  }

  private static Optional<VipGroup> readable(String name, String definition) {
    try {
      return Optional.of(GroupDefinition.parse(name, definition));
    } catch (RuntimeException e) {
      return Optional.empty(); // set aside by every node's catalog; it holds no address
    }
  }
}
