package io.vipkeeper.testing;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.remote.RARP;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;

/**
 * Artery's test blackhole between two members in one JVM (both ways), as Pekko's multi-node
 * testkit uses it: needs {@code pekko.remote.artery.advanced.test-mode = on}.
 */
public final class ArteryBlackhole {

  private ArteryBlackhole() {}

  public static void cut(ActorSystem<?> from, ActorSystem<?> to) {
    set(from, to, ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  public static void heal(ActorSystem<?> from, ActorSystem<?> to) {
    set(from, to, ThrottlerTransportAdapter.unthrottledThrottleMode());
  }

  private static void set(ActorSystem<?> from, ActorSystem<?> to, ThrottlerTransportAdapter.ThrottleMode mode) {
    ((RARP) RARP.get(Adapter.toClassic(from))).provider().transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
        Cluster.get(to).selfMember().address(), ThrottlerTransportAdapter.bothDirection(), mode));
  }
}
