package io.vipkeeper.membership;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.vipkeeper.testing.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three members in one JVM; two of them die without leaving (no downing here), so the one left
 * reaches 1 of 3: its watch says so once release-after has passed, not before, and never while
 * it still reached a majority.
 */
class QuorumWatchTest {

  private final List<ActorTestKit> kits = new ArrayList<>();

  @AfterEach
  void stop() {
    kits.forEach(ActorTestKit::shutdownTestKit);
  }

  private ActorTestKit member() {
    ActorTestKit kit = ActorTestKit.create("vkq", ConfigFactory.parseString("""
        pekko.coordinated-shutdown.run-by-actor-system-terminate = off
        pekko.cluster.run-coordinated-shutdown-when-down = off
        """).withFallback(TestConfigs.clusterNode("")));
    kits.add(kit);
    return kit;
  }

  @Test
  void aMemberThatReachesOnlyItselfOfThreeIsToldItsSideWouldNotSurvive() {
    ActorTestKit a = member();
    ActorTestKit b = member();
    ActorTestKit c = member();
    var seed = Cluster.get(a.system()).selfMember().address();
    for (ActorTestKit k : List.of(a, b, c)) Cluster.get(k.system()).manager().tell(Join.create(seed));
    a.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
      long up = StreamSupport.stream(Cluster.get(a.system()).state().getMembers().spliterator(), false)
          .filter(m -> m.status() == MemberStatus.up()).count();
      assertEquals(3, up, "three members Up");
      return null;
    });
    TestProbe<QuorumWatch.Verdict> verdicts = a.createTestProbe();
    Duration releaseAfter = Duration.ofMillis(400);
    a.spawn(QuorumWatch.create(new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0), releaseAfter, verdicts.ref()));
    verdicts.expectNoMessage(Duration.ofSeconds(1)); // all reachable: nothing to say

    b.system().terminate();
    verdicts.expectNoMessage(Duration.ofMillis(500)); // 2 of 3 still reachable (b may not be marked yet either)
    long cut = System.nanoTime();
    c.system().terminate();
    QuorumWatch.Verdict verdict = verdicts.expectMessageClass(QuorumWatch.Verdict.class, Duration.ofSeconds(30));
    assertFalse(verdict.survives(), verdict.toString());
    assertEquals("reaches 1 of 3 members", verdict.why());
    assertTrue(System.nanoTime() - cut >= releaseAfter.toNanos(), "not before release-after");
  }
}
