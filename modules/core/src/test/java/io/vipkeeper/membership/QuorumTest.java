package io.vipkeeper.membership;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.vipkeeper.config.SettingsException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import java.util.HashSet;

class QuorumTest {

  private static final List<Quorum.Voter> THREE = List.of(
      new Quorum.Voter("a", 1), new Quorum.Voter("b", 2), new Quorum.Voter("c", 3));
  private static final List<Quorum.Voter> FOUR = List.of(
      new Quorum.Voter("a", 1), new Quorum.Voter("b", 2), new Quorum.Voter("c", 3), new Quorum.Voter("d", 4));

  @Test
  void keepMajorityNeedsMoreThanHalfAndBreaksTiesByLowestAddress() {
    Quorum q = new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0);
    assertTrue(q.survives(Set.of("a", "b"), THREE));
    assertFalse(q.survives(Set.of("c"), THREE), "a cut-off holder alone does not survive");
    assertTrue(q.survives(Set.of("a", "c"), FOUR), "2 of 4 with the lowest address survives");
    assertFalse(q.survives(Set.of("b", "d"), FOUR), "the other half does not");
  }

  @Test
  void noTwoDisjointSidesSurviveUnderAnyStrategy() {
    List<Set<String>> splits = List.of(Set.of("a"), Set.of("b"), Set.of("c"), Set.of("d"), Set.of("a", "b"), Set.of("a", "c"),
        Set.of("a", "d"), Set.of("b", "c"), Set.of("b", "d"), Set.of("c", "d"), Set.of("a", "b", "c"), Set.of("b", "c", "d"));
    for (Quorum q : List.of(new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0), new Quorum(Quorum.Strategy.STATIC_QUORUM, 3),
        new Quorum(Quorum.Strategy.KEEP_OLDEST, 0), new Quorum(Quorum.Strategy.DOWN_ALL, 0))) {
      for (Set<String> side : splits) {
        Set<String> other = new HashSet<>(Set.of("a", "b", "c", "d"));
        other.removeAll(side);
        assertFalse(q.survives(side, FOUR) && q.survives(other, FOUR), q.strategy() + " lets " + side + " and " + other + " both survive");
      }
    }
  }

  @Test
  void keepOldestAndStaticQuorumFollowTheResolver() {
    assertTrue(new Quorum(Quorum.Strategy.KEEP_OLDEST, 0).survives(Set.of("a"), THREE), "the oldest survives alone");
    assertFalse(new Quorum(Quorum.Strategy.KEEP_OLDEST, 0).survives(Set.of("b", "c"), THREE));
    assertTrue(new Quorum(Quorum.Strategy.STATIC_QUORUM, 2).survives(Set.of("b", "c"), THREE));
    assertFalse(new Quorum(Quorum.Strategy.STATIC_QUORUM, 2).survives(Set.of("a"), THREE));
    // Past 2 × quorum-size - 1 members the resolver downs everyone: two quorums could be disjoint
    // (found by EpochUniquenessTest when a cluster grew from 3 to 6 with quorum-size 3).
    List<Quorum.Voter> six = List.of(new Quorum.Voter("a", 1), new Quorum.Voter("b", 2), new Quorum.Voter("c", 3),
        new Quorum.Voter("d", 4), new Quorum.Voter("e", 5), new Quorum.Voter("f", 6));
    assertFalse(new Quorum(Quorum.Strategy.STATIC_QUORUM, 3).survives(Set.of("a", "b", "c"), six));
    assertFalse(new Quorum(Quorum.Strategy.STATIC_QUORUM, 3).survives(Set.of("d", "e", "f"), six));
  }

  @Test
  void readsTheResolverStrategyAndRefusesOnesItCannotFollow() {
    assertEquals(Quorum.Strategy.KEEP_OLDEST, Quorum.of(ConfigFactory.parseString(
        "pekko.cluster.split-brain-resolver.active-strategy = keep-oldest").withFallback(ConfigFactory.load())).strategy());
    SettingsException e = assertThrows(SettingsException.class, () -> Quorum.of(ConfigFactory.parseString(
        "pekko.cluster.split-brain-resolver.active-strategy = lease-majority").withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("'lease-majority' is not supported by vipkeeper; allowed: keep-majority"), e.getMessage());
  }
}
