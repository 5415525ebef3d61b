package io.vipkeeper.model;

import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;

/** Who this node is: a name for people and its cluster address for the code. */
public record NodeIdentity(String name, String address) {

  public static NodeIdentity of(ActorSystem<?> system, String configuredName) {
    Address self = Cluster.get(system).selfMember().address();
    String name = configuredName.isBlank() ? self.host().getOrElse(() -> "local") : configuredName;
    return new NodeIdentity(name, self.toString());
  }
}
