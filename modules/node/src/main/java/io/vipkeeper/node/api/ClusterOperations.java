package io.vipkeeper.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipkeeper.VipKeeper;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.catalog.VipCatalog;
import io.vipkeeper.decider.Decider;
import io.vipkeeper.config.GroupDefinition;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import io.vipkeeper.holder.ConflictWatch;
import java.util.function.Supplier;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/** {@link Operations} on the running node: the catalog, the deciders and every node's interface actor. */
public final class ClusterOperations implements Operations {

  private static final Duration ASK = Duration.ofSeconds(2);
  private static final Duration POLL = Duration.ofMillis(100);

  private final ActorSystem<?> system;
  private final VipKeeper keeper;
  private final ClusterView view;
  private final Duration waitForMove;
  /** /ready and /metrics share this node's answer (its interface actor also does the kernel work). */
  private final SharedAnswer<InterfaceActor.Holdings> local = new SharedAnswer<>(Duration.ofMillis(100));

  public ClusterOperations(ActorSystem<?> system, VipKeeper keeper) {
    this.system = system;
    this.keeper = keeper;
    this.view = new ClusterView(system);
    this.waitForMove = system.settings().config().getDuration("vipkeeper.http.wait-for-move");
  }

  @Override
  public CompletionStage<Reply> vips() {
    return snapshot().thenCompose(s -> view.holdings().thenCompose(all -> view.statuses(s)
        .thenApply(statuses -> Reply.ok(s.groups().values().stream()
            .map(g -> GroupView.of(g, s, all, statuses.get(g.name()))).toList()))));
  }

  @Override
  public CompletionStage<Reply> history(String group) {
    return snapshot().thenCompose(s -> s.groups().containsKey(group)
        ? view.history(group).thenApply(Reply::ok)
        : done(Reply.error(404, "no group " + group + "; GET /vips lists them")));
  }

  @Override
  public CompletionStage<Reply> cluster() {
    return snapshot().thenCompose(s -> view.holdings().thenApply(all -> {
      Map<String, Object> cluster = view.cluster();
      // Members whose journal cannot be opened: they hold nothing and do not vote (see InterfaceActor#observing).
      cluster.put("observers", all.stream().filter(InterfaceActor.Holdings::isObserver)
          .map(h -> Map.of("node", h.node().name(), "reason", h.observer())).toList());
      // Catalog entries this node skips (unreadable or sharing an address): remove them and add them again.
      cluster.put("setAside", s.setAside().entrySet().stream()
          .map(e -> Map.of("group", e.getKey(), "reason", e.getValue())).toList());
      return Reply.ok(cluster);
    }));
  }

  @Override
  public CompletionStage<Reply> add(String json) {
    ObjectNode body;
    VipGroup group;
    try {
      body = object(json);
      JsonNode name = body.remove("name");
      if (name == null || !name.isTextual()) return done(Reply.error(400, "\"name\" (a string) is missing"));
      group = GroupDefinition.parse(name.asText(), body);
    } catch (GroupDefinition.Invalid e) {
      return done(Reply.error(400, e.getMessage()));
    }
    Optional<String> member = memberAddress(group);
    if (member.isPresent()) return done(Reply.error(409, member.get()));
    String definition = body.toString();
    return AskPattern.<VipCatalog.Command, VipCatalog.Outcome>ask(keeper.catalog(),
            replyTo -> new VipCatalog.Add(group, definition, replyTo), ASK.multipliedBy(3), system.scheduler())
        .thenApply(o -> outcome(o, 201, Map.of("group", group.name(), "added", true))).exceptionally(ClusterOperations::noWriter);
  }

  /** A member's own (cluster) address among the group's: releasing it would cut that node off. */
  private Optional<String> memberAddress(VipGroup group) {
    for (org.apache.pekko.cluster.Member m : Cluster.get(system).state().getMembers()) {
      String host = m.address().getHost().orElse("");
      for (var a : group.addresses()) {
        if (a.ip().equals(host)) return Optional.of(a.ip() + " is the cluster address of member " + m.address() + "; a VIP must be an address no host has");
      }
    }
    return Optional.empty();
  }

  @Override
  public CompletionStage<Reply> remove(String group) {
    return AskPattern.<VipCatalog.Command, VipCatalog.Outcome>ask(keeper.catalog(),
            replyTo -> new VipCatalog.Remove(group, replyTo), ASK.multipliedBy(3), system.scheduler())
        .thenApply(o -> outcome(o, 200, Map.of("group", group, "removed", true))).exceptionally(ClusterOperations::noWriter);
  }

  @Override
  public CompletionStage<Reply> move(String group, String node) {
    return snapshot().thenCompose(s -> view.holdings().thenCompose(all -> {
      if (!s.groups().containsKey(group)) return done(Reply.error(404, "no group " + group + "; GET /vips lists them"));
      Optional<InterfaceActor.Holdings> target = all.stream().filter(h -> h.node().name().equals(node)).findFirst();
      if (target.isEmpty()) return done(Reply.error(404, "no node " + node + " answers; GET /cluster lists the members"));
      if (s.drained().contains(node)) return done(Reply.error(409, "node " + node + " is drained; undrain it first"));
      if (!target.get().canClaim()) {
        return done(Reply.error(409, "node " + node + " cannot hold VIPs now (interface down, health check failing or no quorum)"));
      }
      if (target.get().held().containsKey(group)) return done(Reply.ok(Map.of("group", group, "holder", node, "moved", false)));
      Optional<String> from = all.stream().filter(h -> h.held().containsKey(group)).map(h -> h.node().name()).findFirst();
      s.deciders().get(group).tell(new Decider.MoveTo(target.get().node().address(), Decider.MoveReason.OPERATOR));
      long start = System.nanoTime();
      return until(() -> view.holdings().thenApply(now -> now.stream().anyMatch(h -> h.node().name().equals(node)
              && h.held().containsKey(group))), waitForMove)
          .thenApply(arrived -> new Reply(arrived ? 200 : 202, moveBody(group, from.orElse(null), node, arrived, start)));
    }));
  }

  private static Map<String, Object> moveBody(String group, String from, String to, boolean arrived, long start) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("group", group);
    body.put("from", from);
    body.put("to", to);
    body.put("moved", arrived);
    body.put(arrived ? "tookMillis" : "note", arrived ? (System.nanoTime() - start) / 1_000_000
        : "the move was ordered but " + to + " does not hold the group yet; see GET /vips");
    return body;
  }

  @Override
  public CompletionStage<Reply> drain(String node, boolean drained) {
    return view.holdings().thenCompose(all -> {
      if (all.stream().noneMatch(h -> h.node().name().equals(node))) {
        return done(Reply.error(404, "no node " + node + " answers; GET /cluster lists the members"));
      }
      return AskPattern.<VipCatalog.Command, VipCatalog.Outcome>ask(keeper.catalog(),
              replyTo -> new VipCatalog.Drain(node, drained, replyTo), ASK.multipliedBy(3), system.scheduler())
          .thenCompose(o -> o.result() != VipCatalog.Result.DONE || !drained
              ? done(outcome(o, 200, Map.of("node", node, "drained", drained)))
              : until(() -> view.holdings().thenApply(now -> now.stream()
                  .noneMatch(h -> h.node().name().equals(node) && !h.held().isEmpty())), waitForMove)
                  .thenApply(empty -> new Reply(empty ? 200 : 202, Map.of("node", node, "drained", true, "empty", empty))));
    });
  }

  @Override
  public CompletionStage<Reply> ready() {
    MemberStatus status = Cluster.get(system).selfMember().status();
    if (status != MemberStatus.up()) {
      return done(new Reply(503, Map.of("ready", false, "reason", "member is " + status)));
    }
    return localHoldings()
        .thenApply(h -> h.canClaim()
            ? Reply.ok(Map.of("ready", true, "holds", List.copyOf(h.held().keySet())))
            : new Reply(503, Map.of("ready", false, "reason", "interface unhealthy or no quorum")))
        .exceptionally(e -> new Reply(503, Map.of("ready", false, "reason", "no answer from the interface actor")));
  }

  @Override
  public CompletionStage<Reply> conflicts() {
    return localConflicts().thenApply(Reply::ok);
  }

  /** What this node's interface actor holds and whether it can hold more (for readiness and metrics). */
  public CompletionStage<InterfaceActor.Holdings> localHoldings() {
    return local.get(() -> AskPattern.ask(keeper.interfaceActor(), InterfaceActor.QueryHoldings::new, ASK, system.scheduler()));
  }

  /** The address conflicts this node has seen. */
  public CompletionStage<ConflictWatch.Conflicts> localConflicts() {
    return AskPattern.ask(keeper.interfaceActor(), InterfaceActor.QueryConflicts::new, ASK, system.scheduler());
  }

  @Override
  public boolean inMajority() {
    return view.onSurvivingSide();
  }

  private CompletionStage<VipCatalog.Snapshot> snapshot() {
    return AskPattern.ask(keeper.catalog(), VipCatalog.Get::new, ASK, system.scheduler());
  }

  /** The catalog's writer (a singleton) did not answer in time: it may be moving, or the cluster forming. */
  private static Reply noWriter(Throwable e) {
    return Reply.error(503, "the catalog did not answer in time (the cluster may be forming or its writer moving); try again");
  }

  private static Reply outcome(VipCatalog.Outcome o, int okStatus, Object okBody) {
    return switch (o.result()) {
      case DONE -> new Reply(okStatus, okBody);
      case INVALID -> Reply.error(400, o.message());
      case NOT_FOUND -> Reply.error(404, o.message());
      case CONFLICT -> Reply.error(409, o.message());
      case NOT_CONFIRMED -> new Reply(202, Map.of("accepted", true, "note", o.message()));
      case UNAVAILABLE -> Reply.error(503, o.message());
    };
  }

  /** Polls {@code check} until true or {@code limit} passes; completes with the last result. */
  private CompletionStage<Boolean> until(Supplier<CompletionStage<Boolean>> check, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    return check.get().thenCompose(ok -> ok || System.nanoTime() > deadline ? done(ok)
        : Patterns.after(POLL, system.classicSystem().scheduler(), system.executionContext(),
            () -> until(check, Duration.ofNanos(deadline - System.nanoTime()))));
  }

  /** A JSON object (depth- and size-limited); {@link GroupDefinition.Invalid} (a 400) otherwise. */
  static ObjectNode object(String json) {
    return GroupDefinition.object(json);
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
