package io.vipkeeper.node;

import io.vipkeeper.VipKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM starts the planned stop's move at once, then exits as the JVM would (143), which runs
 * CoordinatedShutdown; its first task joins the move already under way. Through the JVM's own
 * handler the move started only once the shutdown hooks and CoordinatedShutdown were running:
 * 5-16 ms after the signal in the lab, which the clients waited for in every planned stop.
 */
final class StopSignal {

  private static final Logger log = LoggerFactory.getLogger(StopSignal.class);
  private static final int EXIT_ON_SIGTERM = 128 + 15;

  private StopSignal() {}

  static void install(VipKeeper keeper) {
    try {
      Signal.handle(new Signal("TERM"), signal -> {
        keeper.beginPlannedStop();
        System.exit(EXIT_ON_SIGTERM);
      });
    } catch (IllegalArgumentException e) {
      // Signal taken by the JVM (-Xrs): CoordinatedShutdown still starts the move, a few ms later.
      log.warn("SIGTERM left to the JVM ({}): a planned stop starts with the shutdown hooks", e.getMessage());
    }
  }
}
