package io.vipkeeper.testing;

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
    List<ActorTestKit> made = new ArrayList<>();
    for (int i = 0; i < count; i++) made.add(ActorTestKit.create(system, TestConfigs.clusterNode("")));
    kits.addAll(made);
    return TestConfigs.allUp(made);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    kits.forEach(ActorTestKit::shutdownTestKit);
    kits.clear();
  }
}
