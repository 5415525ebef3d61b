package io.vipkeeper.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** Config for test ActorSystems: cluster provider on loopback, fast timings, fake-friendly. */
public final class TestConfigs {

  private TestConfigs() {}

  /** A one-node cluster: {@code kit}'s system joins itself; returns once it is Up. */
  public static void joinSelf(ActorTestKit kit) {
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      if (cluster.selfMember().status() != MemberStatus.up()) throw new AssertionError("not Up yet: " + cluster.selfMember());
      return null;
    });
  }

  /** {@code kits} join the first one's cluster; returns them once all are Up, lowest address first. */
  public static List<ActorTestKit> allUp(List<ActorTestKit> kits) {
    var seed = Cluster.get(kits.get(0).system()).selfMember().address();
    kits.forEach(k -> Cluster.get(k.system()).manager().tell(Join.create(seed)));
    kits.get(0).createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
      long up = StreamSupport.stream(Cluster.get(kits.get(kits.size() - 1).system()).state().getMembers().spliterator(), false)
          .filter(m -> m.status() == MemberStatus.up()).count();
      if (up != kits.size()) throw new AssertionError(up + " of " + kits.size() + " members Up");
      return null;
    });
    return kits.stream().sorted(Comparator.comparing(k -> Cluster.get(k.system()).selfMember().address().toString())).toList();
  }

  public static Config clusterNode(String extra) {
    return ConfigFactory.parseString(extra + "\n" + """
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.cluster.typed.receptionist.distributed-data.gossip-interval = 100ms
        pekko.cluster.singleton.hand-over-retry-interval = 100ms
        pekko.cluster.downing-provider-class = ""
        pekko.loglevel = INFO
        pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
        pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
        pekko.persistence.snapshot-store.plugin = ""
        pekko.cluster.split-brain-resolver.active-strategy = keep-majority
        vipkeeper.announce.interval = 20ms
        vipkeeper.catalog.replicator.durable.keys = []
        vipkeeper.groups.web.addresses = ["198.18.0.50/24"]
        """).withFallback(ConfigFactory.load()).resolve();
  }
}
