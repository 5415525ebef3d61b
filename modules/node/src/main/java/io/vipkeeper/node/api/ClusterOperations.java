package io.vipkeeper.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.vipkeeper.VipKeeper;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.catalog.VipCatalog;
import io.vipkeeper.decider.Decider;
import io.vipkeeper.config.SettingsException;
import io.vipkeeper.config.VipKeeperSettings;
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
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vipkeeper.holder.ConflictWatch;
import java.util.function.Supplier;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/** {@link Operations} on the running node: the catalog, the deciders and every node's interface actor. */
public final class ClusterOperations implements Operations {

  private static final Duration ASK = Duration.ofSeconds(2);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActorSystem<?> system;
  private final VipKeeper keeper;
  private final ClusterView view;
  private final Duration waitForMove;

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
    return view.holdings().thenApply(all -> {
      Map<String, Object> cluster = view.cluster();
      // Members whose journal cannot be opened: they hold nothing and do not vote (see InterfaceActor#observing).
      cluster.put("observers", all.stream().filter(InterfaceActor.Holdings::isObserver)
          .map(h -> Map.of("node", h.node().name(), "reason", h.observer())).toList());
      return Reply.ok(cluster);
    });
  }

  @Override
  public CompletionStage<Reply> add(String json) {
    ObjectNode body;
    VipGroup group;
    try {
      body = object(json);
      JsonNode name = body.remove("name");
      if (name == null || !name.isTextual()) return done(Reply.error(400, "\"name\" (a string) is missing"));
      group = VipKeeperSettings.parseGroup(name.asText(), ConfigFactory.parseString(JSON.writeValueAsString(body)));
    } catch (BadRequest | SettingsException | ConfigException | JsonProcessingException e) {
      return done(Reply.error(400, message(e)));
    }
    String definition = body.toString();
    return AskPattern.<VipCatalog.Command, VipCatalog.Outcome>ask(keeper.catalog(),
            replyTo -> new VipCatalog.Add(group, definition, replyTo), ASK.multipliedBy(3), system.scheduler())
        .thenApply(o -> outcome(o, 201, Map.of("group", group.name(), "added", true)));
  }

  @Override
  public CompletionStage<Reply> remove(String group) {
    return AskPattern.<VipCatalog.Command, VipCatalog.Outcome>ask(keeper.catalog(),
            replyTo -> new VipCatalog.Remove(group, replyTo), ASK.multipliedBy(3), system.scheduler())
        .thenApply(o -> outcome(o, 200, Map.of("group", group, "removed", true)));
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
    return AskPattern.ask(keeper.interfaceActor(), InterfaceActor.QueryHoldings::new, ASK, system.scheduler());
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

  private static Reply outcome(VipCatalog.Outcome o, int okStatus, Object okBody) {
    return switch (o.result()) {
      case DONE -> new Reply(okStatus, okBody);
      case INVALID -> Reply.error(400, o.message());
      case NOT_FOUND -> Reply.error(404, o.message());
      case CONFLICT -> Reply.error(409, o.message());
      case NOT_CONFIRMED -> new Reply(202, Map.of("accepted", true, "note", o.message()));
    };
  }

  /** Polls {@code check} until true or {@code limit} passes; completes with the last result. */
  private CompletionStage<Boolean> until(Supplier<CompletionStage<Boolean>> check, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    return check.get().thenCompose(ok -> ok || System.nanoTime() > deadline ? done(ok)
        : Patterns.after(POLL, system.classicSystem().scheduler(), system.executionContext(),
            () -> until(check, Duration.ofNanos(deadline - System.nanoTime()))));
  }

  static ObjectNode object(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new BadRequest("the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (!(node instanceof ObjectNode object)) throw new BadRequest("the body must be a JSON object");
    return object;
  }

  private static String message(Exception e) {
    return e instanceof SettingsException s ? String.join("; ", s.problems()) : e.getMessage();
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  /** A request body that cannot be used; the message says why. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }
}
