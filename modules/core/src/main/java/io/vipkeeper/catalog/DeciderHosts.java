package io.vipkeeper.catalog;

import io.vipkeeper.holder.InterfaceActor;

import io.vipkeeper.decider.Decider;
import io.vipkeeper.decider.DeciderBoards;

import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.membership.Quorum;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.singleton.ClusterSingletonManager;
import org.apache.pekko.cluster.singleton.ClusterSingletonManagerSettings;
import org.apache.pekko.cluster.singleton.ClusterSingletonProxy;
import org.apache.pekko.cluster.singleton.ClusterSingletonProxySettings;
import org.apache.pekko.actor.ActorSystem;

/**
 * The singleton managers (and proxies) of the groups added at run time, as children of the
 * catalog: unlike {@code ClusterSingleton.init}, a manager can be stopped when its group is
 * removed. Every node runs one per group at the same path, so the oldest node's runs the decider.
 */
final class DeciderHosts {

  private final ActorContext<VipCatalog.Command> context;
  private final VipKeeperSettings settings;
  private final Quorum quorum;
  private final DeciderBoards boards;
  private final Map<String, org.apache.pekko.actor.ActorRef> managers = new HashMap<>();
  private final Map<String, org.apache.pekko.actor.ActorRef> proxies = new HashMap<>();

  DeciderHosts(ActorContext<VipCatalog.Command> context, VipKeeperSettings settings, Quorum quorum,
      DeciderBoards boards) {
    this.context = context;
    this.settings = settings;
    this.quorum = quorum;
    this.boards = boards;
  }

  /**
   * This node's coordinated shutdown has begun: a singleton manager made now would miss the
   * shutdown's exiting phase, and its decider would hold the node's exit up for that phase's whole
   * timeout (seen in a test that added a group just before its system stopped). The other nodes
   * decide for the group.
   */
  boolean shuttingDown() {
    return org.apache.pekko.actor.CoordinatedShutdown.get(Adapter.toClassic(context.getSystem())).getShutdownReason().isPresent();
  }

  /** False while the manager of a group of that name is still stopping (removed, added again). */
  boolean start(VipGroup group, ActorRef<VipCatalog.Command> catalog) {
    ActorSystem classic = Adapter.toClassic(context.getSystem());
    String name = "owner-" + group.name();
    if (Adapter.toClassic(context).child(name).isDefined() || Adapter.toClassic(context).child("proxy-" + group.name()).isDefined()) {
      return false;
    }
    managers.put(group.name(), Adapter.actorOf(context, ClusterSingletonManager.props(
        Adapter.props(() -> Decider.create(group, settings, quorum, boards, catalog), InterfaceActor.LEASE_DISPATCHER), Decider.HandOver.INSTANCE,
        ClusterSingletonManagerSettings.create(classic)), name));
    proxies.put(group.name(), Adapter.actorOf(context, ClusterSingletonProxy.props(
        context.getSelf().path().toStringWithoutAddress() + "/" + name, ClusterSingletonProxySettings.create(classic)),
        "proxy-" + group.name()));
    return true;
  }

  void stop(String group) {
    org.apache.pekko.actor.ActorRef manager = managers.remove(group);
    if (manager != null) Adapter.toClassic(context).stop(manager);
    org.apache.pekko.actor.ActorRef proxy = proxies.remove(group);
    if (proxy != null) Adapter.toClassic(context).stop(proxy);
  }

  Map<String, ActorRef<Decider.Command>> proxies() {
    Map<String, ActorRef<Decider.Command>> typed = new HashMap<>();
    proxies.forEach((group, ref) -> typed.put(group, Adapter.toTyped(ref)));
    return typed;
  }
}
