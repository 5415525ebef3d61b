package io.vipkeeper.node.api;

import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.catalog.VipCatalog;
import io.vipkeeper.decider.Decider;
import io.vipkeeper.membership.Members;
import io.vipkeeper.membership.Quorum;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import java.time.Instant;
import java.util.Locale;
import org.apache.pekko.japi.function.Function;

/**
 * What the nodes say now, each asked with a short timeout so one silent node does not hold an
 * answer up: their holdings, the deciders' status, the journals' history, and the membership.
 */
final class ClusterView {

  private static final Duration ASK = Duration.ofSeconds(1);
  /** How long one round of holdings answers serves later requests. */
  private static final Duration FRESH = Duration.ofMillis(100);

  private final ActorSystem<?> system;
  private final Quorum quorum;
  private final SharedAnswer<List<InterfaceActor.Holdings>> holdings = new SharedAnswer<>(FRESH);
  private final SharedAnswer<Map<String, Decider.Status>> statuses = new SharedAnswer<>(FRESH);

  ClusterView(ActorSystem<?> system) {
    this.system = system;
    this.quorum = Quorum.of(system.settings().config());
  }

  /**
   * Every node's holdings. Requests that come together share one round of asks (and its answer
   * for {@link #FRESH}), so a flood of reads costs the interface actors one question, not one each.
   */
  CompletionStage<List<InterfaceActor.Holdings>> holdings() {
    return holdings.get(() -> askAll(InterfaceActor.KEY, InterfaceActor.QueryHoldings::new));
  }

  /**
   * Each group's decider status (null for one that did not answer), shared like the holdings: the
   * deciders run on the lease path, so a flood of reads must not turn into a flood of asks there.
   */
  CompletionStage<Map<String, Decider.Status>> statuses(VipCatalog.Snapshot snapshot) {
    return statuses.get(() -> askStatuses(snapshot));
  }

  private CompletionStage<Map<String, Decider.Status>> askStatuses(VipCatalog.Snapshot snapshot) {
    Map<String, CompletableFuture<Decider.Status>> asks = new LinkedHashMap<>();
    snapshot.deciders().forEach((group, decider) -> asks.put(group, AskPattern.<Decider.Command, Decider.Status>ask(decider,
        Decider.GetStatus::new, ASK, system.scheduler()).toCompletableFuture().exceptionally(e -> null)));
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, Decider.Status> result = new HashMap<>();
      asks.forEach((group, f) -> result.put(group, f.join()));
      return result;
    });
  }

  /** The group's events from every node's journal, oldest first. */
  CompletionStage<List<Map<String, Object>>> history(String group) {
    return askAll(EpochLedger.KEY, EpochLedger.GetHistory::new).thenApply(all -> {
      List<Map<String, Object>> events = new ArrayList<>();
      for (EpochLedger.History h : all) {
        for (EpochLedger.Event e : h.events()) if (e.group().equals(group)) events.add(event(h.node(), e));
      }
      events.sort(Comparator.comparingLong(e -> (Long) e.get("at")));
      return events;
    });
  }

  private static Map<String, Object> event(String node, EpochLedger.Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    long at = e instanceof EpochLedger.Promised p ? p.atMillis() : e instanceof EpochLedger.Claimed c ? c.atMillis()
        : ((EpochLedger.Released) e).atMillis();
    m.put("at", at);
    m.put("time", Instant.ofEpochMilli(at).toString());
    m.put("node", node);
    m.put("event", e instanceof EpochLedger.Promised ? "promised" : e instanceof EpochLedger.Claimed ? "claimed" : "released");
    m.put("epoch", e.epoch());
    if (e instanceof EpochLedger.Claimed c) m.put("reason", c.reason());
    if (e instanceof EpochLedger.Released r) m.put("reason", r.reason());
    return m;
  }

  /** Members with status, roles, age and reachability; the leader; what a split would keep. */
  Map<String, Object> cluster() {
    Cluster cluster = Cluster.get(system);
    Set<Member> unreachable = cluster.state().getUnreachable();
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member m : cluster.state().getMembers()) {
      Map<String, Object> member = new LinkedHashMap<>();
      member.put("address", m.address().toString());
      member.put("status", m.status().toString());
      member.put("roles", List.copyOf(m.getRoles()));
      member.put("upNumber", m.upNumber());
      member.put("reachable", !unreachable.contains(m));
      members.add(member);
    }
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("strategy", quorum.strategy().toString().toLowerCase(Locale.ROOT).replace('_', '-'));
    split.put("unreachable", unreachable.stream().map(m -> m.address().toString()).toList());
    split.put("thisSideSurvives", onSurvivingSide());
    split.put("decision", unreachable.isEmpty() ? "none: every member is reachable"
        : onSurvivingSide() ? "this side stays up; the unreachable members will be downed"
        : "this side would be downed: its VIPs are released");
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("self", cluster.selfMember().address().toString());
    view.put("leader", cluster.state().getLeader() == null ? null : cluster.state().getLeader().toString());
    view.put("members", members);
    view.put("splitBrain", split);
    return view;
  }

  /** Whether the members this node reaches would stay up if the others were cut off. */
  boolean onSurvivingSide() {
    return new Members(system).reachableSideSurvives(quorum);
  }

  private <C, R> CompletionStage<List<R>> askAll(ServiceKey<C> key,
      Function<ActorRef<R>, C> message) {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            replyTo -> Receptionist.find(key, replyTo), ASK, system.scheduler())
        .thenCompose(listing -> {
          List<CompletableFuture<R>> asks = new ArrayList<>();
          for (ActorRef<C> ref : listing.getServiceInstances(key)) {
            asks.add(AskPattern.<C, R>ask(ref, message, ASK, system.scheduler()).toCompletableFuture().exceptionally(e -> null));
          }
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
              .thenApply(done -> asks.stream().map(CompletableFuture::join).filter(r -> r != null).toList());
        });
  }
}
