package io.vipkeeper.membership;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.vipkeeper.testing.ArteryBlackhole;
import io.vipkeeper.testing.ClusterKits;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three members in one JVM (no downing here). Two of them die without leaving, so the one left
 * reaches 1 of 3: its watch says so once release-after has passed, not before, and never while it
 * still reached a majority. And a member that reaches both others while they cannot reach each
 * other (Artery's test blackhole) keeps its side, though each of them reports the other unreachable.
 */
class QuorumWatchTest {

  @RegisterExtension final ClusterKits kits = new ClusterKits();

  private ActorTestKit a;
  private ActorTestKit b;
  private ActorTestKit c;

  /** Starts a, b and c and waits until all three are Up. */
  private void threeUp() {
    List<ActorTestKit> three = kits.up("vkq", 3, ConfigFactory.parseString("""
        pekko.coordinated-shutdown.run-by-actor-system-terminate = off
        pekko.cluster.run-coordinated-shutdown-when-down = off
        pekko.remote.artery.advanced.test-mode = on
        """));
    a = three.get(0);
    b = three.get(1);
    c = three.get(2);
  }

  private static final Duration RELEASE_AFTER = Duration.ofMillis(400);

  private static TestProbe<QuorumWatch.Verdict> watch(ActorTestKit kit) {
    TestProbe<QuorumWatch.Verdict> verdicts = kit.createTestProbe();
    kit.spawn(QuorumWatch.create(new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0), RELEASE_AFTER, verdicts.ref()));
    verdicts.expectNoMessage(Duration.ofSeconds(1)); // all reachable: nothing to say
    return verdicts;
  }

  @Test
  void aMemberThatReachesOnlyItselfOfThreeIsToldItsSideWouldNotSurvive() {
    threeUp();
    TestProbe<QuorumWatch.Verdict> verdicts = watch(a);

    b.system().terminate();
    verdicts.expectNoMessage(Duration.ofMillis(500)); // 2 of 3 still reachable (b may not be marked yet either)
    long cut = System.nanoTime();
    c.system().terminate();
    QuorumWatch.Verdict verdict = verdicts.expectMessageClass(QuorumWatch.Verdict.class, Duration.ofSeconds(30));
    assertFalse(verdict.survives(), verdict.toString());
    assertEquals("reaches 1 of 3 members", verdict.why());
    assertTrue(System.nanoTime() - cut >= RELEASE_AFTER.toNanos(), "not before release-after");
  }

  @Test
  void aMemberThatReachesBothOthersKeepsItsSideWhileTheyCannotReachEachOther() {
    threeUp();
    TestProbe<QuorumWatch.Verdict> verdicts = watch(b);
    ArteryBlackhole.cut(a.system(), c.system());
    // The merged view b reads from the cluster's state now counts both a and c unreachable.
    b.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(2, Cluster.get(b.system()).state().getUnreachable().size(), "a and c report each other");
      return null;
    });
    verdicts.expectNoMessage(RELEASE_AFTER.multipliedBy(3));
    assertEquals(3, new Members(b.system()).reachableVoters().size(), "b's own detector reaches all three");
  }
}
