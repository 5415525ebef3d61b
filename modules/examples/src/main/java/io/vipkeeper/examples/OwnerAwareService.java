package io.vipkeeper.examples;

import com.typesafe.config.Config;
import io.vipkeeper.OwnershipChanged;
import io.vipkeeper.VipKeeper;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.kernel.KernelDrivers;
import io.vipkeeper.node.NodeConfig;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service with its own ActorSystem that embeds vipkeeper: it subscribes to ownership changes and
 * answers {@code GET /owner} with the node and the groups it holds, the way a database front end
 * would accept writes only while it holds the VIP. Configured like a node (VIPKEEPER_*), plus
 * SERVICE_PORT (default 8080) on the node's address.
 */
public final class OwnerAwareService {

  private static final Logger log = LoggerFactory.getLogger(OwnerAwareService.class);

  private OwnerAwareService() {}

  public static void main(String[] args) {
    Config config = NodeConfig.load(Optional.empty(), System.getenv());
    VipKeeperSettings settings = VipKeeperSettings.create(config);
    Drivers drivers = KernelDrivers.open(settings);
    int port = Integer.parseInt(System.getenv().getOrDefault("SERVICE_PORT", "8080"));
    String host = config.getString("pekko.remote.artery.canonical.hostname");
    ActorSystem.create(guardian(settings, drivers, host, port), NodeConfig.SYSTEM_NAME, config);
  }

  static Behavior<Void> guardian(VipKeeperSettings settings, Drivers drivers, String host, int port) {
    return Behaviors.setup(context -> {
      Set<String> held = new ConcurrentSkipListSet<>();
      ActorRef<OwnershipChanged> watcher = context.spawn(Behaviors.<OwnershipChanged>setup(own -> Behaviors.receiveMessage(change -> {
        if (change.held()) held.add(change.group()); else held.remove(change.group());
        own.getLog().info("ownership: {} {} (epoch {}, {})", change.held() ? "holding" : "not holding",
            change.group(), change.epoch(), change.reason());
        return Behaviors.same();
      })), "ownership");
      VipKeeper.start(context.getSystem(), settings, drivers).subscribe(watcher);
      Route route = Directives.path("owner", () -> Directives.get(() -> Directives.complete(HttpEntities.create(
          ContentTypes.APPLICATION_JSON, "{\"node\":\"" + settings.nodeName() + "\",\"holds\":" + json(held) + "}"))));
      Http.get(context.getSystem()).newServerAt(host, port).bind(route)
          .thenAccept(binding -> log.info("service at http://{}:{}/owner", host, port));
      return Behaviors.empty();
    });
  }

  private static String json(Set<String> groups) {
    StringBuilder out = new StringBuilder("[");
    for (String group : new TreeSet<>(groups)) out.append(out.length() > 1 ? "," : "").append('"').append(group).append('"');
    return out.append(']').toString();
  }
}
