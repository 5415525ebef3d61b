package io.vipkeeper.node;

import io.vipkeeper.VipKeeper;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.Drivers;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The daemon's root actor: it only wires vipkeeper into this node's ActorSystem. */
final class Guardian {

  private Guardian() {}

  static Behavior<Void> create(VipKeeperSettings settings, Drivers drivers) {
    return Behaviors.setup(context -> {
      VipKeeper keeper = VipKeeper.start(context.getSystem(), settings, drivers);
      HttpServer.start(context.getSystem(), keeper, drivers, settings.nodeName());
      EventFile.start(context.getSystem(), Path.of(settings.dataDir()));
      return Behaviors.empty();
    });
  }
}
