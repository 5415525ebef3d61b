package io.vipkeeper.node;

import io.vipkeeper.actor.InterfaceActor;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.ArrayList;
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
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The read-only views of the management API: the cluster as this node sees it, and every group
 * with the node that holds it, as the nodes' interface actors say (asked now, each with a short
 * timeout, so one silent node does not hold the answer up).
 */
final class ManagementView {

  private static final Duration ASK = Duration.ofSeconds(1);

  private ManagementView() {}

  /** Members with status, roles, age and reachability; the leader; this node. */
  static Map<String, Object> cluster(ActorSystem<?> system) {
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
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("self", cluster.selfMember().address().toString());
    view.put("leader", cluster.state().getLeader() == null ? null : cluster.state().getLeader().toString());
    view.put("members", members);
    return view;
  }

  /** Every configured group: mode, addresses, holder (node name) and epoch, and each node's state. */
  static CompletionStage<List<Map<String, Object>>> vips(ActorSystem<?> system, VipKeeperSettings settings) {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            replyTo -> Receptionist.find(InterfaceActor.KEY, replyTo), ASK, system.scheduler())
        .thenCompose(listing -> holdings(system, listing.getServiceInstances(InterfaceActor.KEY)))
        .thenApply(all -> settings.groups().stream().map(g -> group(g, all)).toList());
  }

  private static CompletionStage<List<InterfaceActor.Holdings>> holdings(ActorSystem<?> system,
      Set<ActorRef<InterfaceActor.Command>> interfaces) {
    List<CompletableFuture<InterfaceActor.Holdings>> asks = new ArrayList<>();
    for (ActorRef<InterfaceActor.Command> ref : interfaces) {
      asks.add(AskPattern.<InterfaceActor.Command, InterfaceActor.Holdings>ask(ref, InterfaceActor.QueryHoldings::new, ASK,
          system.scheduler()).toCompletableFuture().exceptionally(e -> null));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(done -> asks.stream().map(CompletableFuture::join).filter(h -> h != null).toList());
  }

  private static Map<String, Object> group(VipGroup group, List<InterfaceActor.Holdings> all) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("group", group.name());
    view.put("mode", group.virtualMac() ? "vmac" : "garp");
    view.put("addresses", group.addresses().stream().map(VipAddress::cidr).toList());
    List<String> holders = new ArrayList<>();
    long epoch = 0;
    Map<String, Object> nodes = new LinkedHashMap<>();
    for (InterfaceActor.Holdings h : all) {
      Long held = h.held().get(group.name());
      if (held != null) {
        holders.add(h.node().name());
        epoch = Math.max(epoch, held);
      }
      nodes.put(h.node().name(), Map.of("holds", held != null, "canHold", h.canClaim()));
    }
    view.put("holder", holders.size() == 1 ? holders.get(0) : holders.isEmpty() ? null : holders);
    view.put("epoch", epoch);
    view.put("nodes", nodes);
    return view;
  }
}
