package io.vipkeeper.decider;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.model.PlacementPolicy;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The board books each choice at once, so groups placed together spread instead of piling up. */
class PlacementBoardTest {

  private static final ActorTestKit kit = ActorTestKit.create();
  private static final List<NodeIdentity> NODES = List.of(node(1), node(2), node(3));

  private static NodeIdentity node(int i) {
    return new NodeIdentity("n" + i, "pekko://vipkeeper@198.18.0.1" + i + ":25520");
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static Placement.Situation nobodyHolds() {
    return new Placement.Situation(NODES, Map.of(), 0, NODES.get(0), Optional.empty(), Set.of(), Map.of(), Map.of(), Map.of(),
        Optional.empty());
  }

  private static NodeIdentity choose(ActorRef<PlacementBoard.Command> board, String group, Map<String, Double> weights) {
    TestProbe<Placement.Decision> reply = kit.createTestProbe();
    TestProbe<Decider.Command> decider = kit.createTestProbe();
    board.tell(new PlacementBoard.Choose(group, nobodyHolds(), PlacementPolicy.BALANCED, weights, decider.ref(), reply.ref()));
    return ((Placement.Move) reply.receiveMessage()).target();
  }

  @Test
  void groupsChosenOneAfterAnotherSpreadOverTheNodes() {
    ActorRef<PlacementBoard.Command> board = kit.spawn(PlacementBoard.create(Duration.ofHours(1)));
    Set<NodeIdentity> targets = new HashSet<>();
    for (String group : List.of("a", "b", "c")) targets.add(choose(board, group, Map.of()));
    assertEquals(Set.copyOf(NODES), targets, "three groups, three nodes");
    NodeIdentity fourth = choose(board, "d", Map.of());
    assertNotEquals(NODES.get(0), fourth, "among equals, not the decider's node");
  }

  @Test
  void aHeavierNodeTakesMoreGroups() {
    ActorRef<PlacementBoard.Command> board = kit.spawn(PlacementBoard.create(Duration.ofHours(1)));
    Map<String, Double> weights = Map.of(NODES.get(2).address(), 3.0);
    long onN3 = 0;
    for (int g = 0; g < 5; g++) if (choose(board, "g" + g, weights).equals(NODES.get(2))) onN3++;
    assertEquals(3, onN3, "weight 3 against 1 and 1: three of five groups");
  }
}
