package io.vipkeeper.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Cluster members in one JVM for a test, shut down after each test:
 * {@code @RegisterExtension final ClusterKits kits = new ClusterKits();}.
 */
public final class ClusterKits implements AfterEachCallback {

  private final List<ActorTestKit> kits = new ArrayList<>();

  /** {@code count} members of one cluster named {@code system}, all Up; lowest address first. */
  public List<ActorTestKit> up(String system, int count) {
    return up(system, count, ConfigFactory.empty());
  }

  /** As {@link #up(String, int)}, each member with {@code extra} over {@link TestConfigs#clusterNode}. */
  public List<ActorTestKit> up(String system, int count, Config extra) {
    List<ActorTestKit> made = new ArrayList<>();
    for (int i = 0; i < count; i++) made.add(create(system, extra.withFallback(TestConfigs.clusterNode(""))));
    return TestConfigs.allUp(made);
  }

  /** One member with {@code config}, not joined to anything yet. */
  public ActorTestKit create(String system, Config config) {
    ActorTestKit kit = ActorTestKit.create(system, config);
    kits.add(kit);
    return kit;
  }

  /** The members made so far, in the order they were made. */
  public ActorTestKit get(int index) {
    return kits.get(index);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    kits.forEach(ActorTestKit::shutdownTestKit);
    kits.clear();
  }
}
