package io.vipkeeper.decider;

import io.vipkeeper.model.NodeIdentity;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.model.PlacementPolicy;
import java.time.Duration;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {

  private static final NodeIdentity N1 = node(1);
  private static final NodeIdentity N2 = node(2);
  private static final NodeIdentity N3 = node(3);
  private static final List<NodeIdentity> ALL = List.of(N1, N2, N3);
  private static final PlacementPolicy BALANCED = PlacementPolicy.BALANCED;
  private static final PlacementPolicy PREFER_N3 = new PlacementPolicy(List.of("n3"), false, 0);

  private static NodeIdentity node(int i) {
    return new NodeIdentity("n" + i, "pekko://vipkeeper@198.18.0.1" + i + ":25520");
  }

  /** A situation seen from the decider on n1, with nothing special going on. */
  private static Situation on(List<NodeIdentity> candidates) {
    return new Situation(candidates);
  }

  private static final class Situation {
    List<NodeIdentity> candidates;
    Map<NodeIdentity, Long> holders = Map.of();
    int silent;
    Optional<NodeIdentity> avoid = Optional.empty();
    Set<NodeIdentity> drained = Set.of();
    Map<NodeIdentity, Set<String>> roles = Map.of();
    Map<NodeIdentity, Double> load = Map.of();
    Map<NodeIdentity, Duration> healthyFor = Map.of();
    Optional<NodeIdentity> requested = Optional.empty();

    Situation(List<NodeIdentity> candidates) {
      this.candidates = candidates;
    }

    Situation holders(Map<NodeIdentity, Long> h) { holders = h; return this; }
    Situation silent(int s) { silent = s; return this; }
    Situation avoid(NodeIdentity n) { avoid = Optional.of(n); return this; }
    Situation drained(NodeIdentity... n) { drained = Set.of(n); return this; }
    Situation roles(Map<NodeIdentity, Set<String>> r) { roles = r; return this; }
    Situation load(Map<NodeIdentity, Double> l) { load = l; return this; }
    Situation healthyFor(Map<NodeIdentity, Duration> h) { healthyFor = h; return this; }
    Situation requested(NodeIdentity n) { requested = Optional.of(n); return this; }

    Placement.Decision decide(PlacementPolicy policy) {
      return Placement.decide(new Placement.Situation(candidates, holders, silent, N1, avoid, drained, roles, load, healthyFor,
          requested), policy);
    }
  }

  private static Placement.Move move(List<NodeIdentity> from, NodeIdentity to) {
    return new Placement.Move(from, to, false);
  }

  @Test
  void aHealthyHolderKeepsTheGroup() {
    assertEquals(new Placement.Keep(N3), on(ALL).holders(Map.of(N3, 4L)).decide(BALANCED));
  }

  @Test
  void aBalancedGroupGoesToTheLeastLoadedNodeThenNotTheDecidersThenTheOldest() {
    assertEquals(move(List.of(), N2), on(ALL).decide(BALANCED), "equal load: not the decider's node (n1), then the oldest");
    assertEquals(move(List.of(), N3), on(ALL).load(Map.of(N2, 1.0)).decide(BALANCED));
    assertEquals(move(List.of(), N1), on(ALL).load(Map.of(N2, 1.0, N3, 1.0)).decide(BALANCED), "the decider's node when it has the least");
    assertEquals(move(List.of(), N1), on(List.of(N1)).decide(BALANCED), "the decider's node when it is the only one");
  }

  @Test
  void aPreferredNodeWinsOverTheOldestAndOverLoad() {
    assertEquals(move(List.of(), N3), on(ALL).load(Map.of(N3, 5.0)).decide(PREFER_N3));
    PlacementPolicy ordered = new PlacementPolicy(List.of("n3", "n2"), false, 0);
    assertEquals(move(List.of(), N2), on(List.of(N1, N2)).decide(ordered), "the next preference when n3 cannot hold");
    assertEquals(move(List.of(), N1), on(List.of(N1)).decide(ordered), "any healthy node as the fallback");
  }

  @Test
  void rolesArePreferencesToo() {
    PlacementPolicy db = new PlacementPolicy(List.of("role:db"), false, 0);
    assertEquals(move(List.of(), N3), on(ALL).roles(Map.of(N3, Set.of("db"), N2, Set.of("web"))).decide(db));
  }

  @Test
  void withoutPreemptARecoveredPreferredNodeDoesNotTakeTheGroupBack() {
    Situation back = on(ALL).holders(Map.of(N2, 7L)).healthyFor(Map.of(N3, Duration.ofMinutes(10)));
    assertEquals(new Placement.Keep(N2), back.decide(PREFER_N3));
  }

  @Test
  void withPreemptDelayItTakesItBackOnlyAfterBeingHealthyThatLong() {
    PlacementPolicy preempt = new PlacementPolicy(List.of("n3"), true, 5000);
    Situation early = on(ALL).holders(Map.of(N2, 7L)).healthyFor(Map.of(N3, Duration.ofSeconds(4)));
    assertEquals(new Placement.Keep(N2), early.decide(preempt));
    Situation later = on(ALL).holders(Map.of(N2, 7L)).healthyFor(Map.of(N3, Duration.ofSeconds(5)));
    assertEquals(move(List.of(N2), N3), later.decide(preempt), "a graceful move: release on n2, then claim on n3");
    assertEquals(new Placement.Keep(N3), on(ALL).holders(Map.of(N3, 8L)).decide(preempt));
  }

  @Test
  void aDrainedHolderMovesAwayAndADrainedNodeIsNeverATarget() {
    assertEquals(move(List.of(N2), N3), on(ALL).holders(Map.of(N2, 3L)).drained(N2).decide(BALANCED));
    assertEquals(move(List.of(), N1), on(ALL).drained(N2, N3).decide(PREFER_N3));
  }

  @Test
  void anUnhealthyHolderIsReleasedFirst() {
    assertEquals(move(List.of(N2), N3), on(List.of(N1, N3)).holders(Map.of(N2, 3L)).decide(BALANCED));
  }

  @Test
  void aSilentMemberFencesTheMoveInsteadOfBlockingIt() {
    assertEquals(new Placement.Move(List.of(), N3, true), on(List.of(N1, N3)).silent(1).avoid(N2).decide(BALANCED),
        "n2 may still hold under its lease: wait it out, then claim");
  }

  @Test
  void twoHoldersKeepTheNewestEpochAndReleaseTheOther() {
    assertEquals(move(List.of(N2), N3), on(ALL).holders(Map.of(N2, 3L, N3, 5L)).decide(BALANCED));
  }

  @Test
  void aNodeWhoseClaimFailedIsPassedOverWhileAnotherCan() {
    assertEquals(move(List.of(), N3), on(ALL).avoid(N2).decide(BALANCED));
    assertEquals(move(List.of(), N2), on(List.of(N2)).avoid(N2).decide(BALANCED));
  }

  @Test
  void aRequestedNodeGetsTheGroupIfItCanHoldIt() {
    assertEquals(move(List.of(N2), N3), on(ALL).holders(Map.of(N2, 3L)).requested(N3).decide(BALANCED));
    assertEquals(new Placement.Keep(N2), on(List.of(N1, N2)).holders(Map.of(N2, 3L)).requested(N3).decide(BALANCED),
        "n3 cannot hold now: nothing moves");
  }

  @Test
  void noCandidateMeansWait() {
    assertTrue(on(List.of()).decide(BALANCED) instanceof Placement.Wait);
  }

  @Test
  void thirtyGroupsSpreadEvenlyAndAJoinMovesOnlyWhatMust() {
    Map<String, String> placed = new HashMap<>();
    for (int g = 0; g < 30; g++) place("g" + g, ALL, placed);
    assertEquals(Map.of(N1.address(), 10L, N2.address(), 10L, N3.address(), 10L), counts(placed, ALL));
    // n3 leaves: only its groups move, each to the less loaded survivor.
    List<String> orphans = placed.entrySet().stream().filter(e -> e.getValue().equals(N3.address())).map(Map.Entry::getKey).toList();
    orphans.forEach(placed::remove);
    for (String g : orphans) place(g, List.of(N1, N2), placed);
    assertEquals(Map.of(N1.address(), 15L, N2.address(), 15L), counts(placed, List.of(N1, N2)));
    // n3 is back: rebalance steps until none; exactly the 10 needed moves.
    int moves = 0;
    Optional<Placement.Step> step;
    List<String> nodes = ALL.stream().map(NodeIdentity::address).toList();
    while ((step = Placement.rebalance(nodes, placed, placed.keySet(), Map.of())).isPresent()) {
      placed.put(step.get().group(), step.get().to());
      assertTrue(++moves <= 30, "rebalancing must end");
    }
    assertEquals(10, moves);
    assertEquals(Map.of(N1.address(), 10L, N2.address(), 10L, N3.address(), 10L), counts(placed, ALL));
  }

  @Test
  void rebalancingFollowsWeightsAndNeverMovesPreferringGroups() {
    Map<String, String> placed = new HashMap<>();
    for (int g = 0; g < 40; g++) placed.put("g" + g, N1.address());
    List<String> nodes = ALL.stream().map(NodeIdentity::address).toList();
    Map<String, Double> weights = Map.of(N1.address(), 2.0);
    Set<String> balanced = new HashSet<>(placed.keySet());
    balanced.remove("g0");
    Optional<Placement.Step> step;
    while ((step = Placement.rebalance(nodes, placed, balanced, weights)).isPresent()) placed.put(step.get().group(), step.get().to());
    assertEquals(Map.of(N1.address(), 20L, N2.address(), 10L, N3.address(), 10L), counts(placed, ALL), "weight 2 holds twice as many");
    assertEquals(N1.address(), placed.get("g0"), "a group with a preference is never rebalanced");
  }

  /** One group's decision with the load of the groups already placed (what the board does). */
  private static void place(String group, List<NodeIdentity> candidates, Map<String, String> placed) {
    Map<NodeIdentity, Double> load = new HashMap<>();
    for (NodeIdentity n : candidates) load.put(n, (double) placed.values().stream().filter(n.address()::equals).count());
    Placement.Decision d = on(candidates).load(load).decide(BALANCED);
    placed.put(group, ((Placement.Move) d).target().address());
  }

  private static Map<String, Long> counts(Map<String, String> placed, List<NodeIdentity> nodes) {
    Map<String, Long> counts = new HashMap<>();
    for (NodeIdentity n : nodes) counts.put(n.address(), placed.values().stream().filter(n.address()::equals).count());
    return counts;
  }

}
