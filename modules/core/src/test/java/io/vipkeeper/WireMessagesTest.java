package io.vipkeeper;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.decider.Decider;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.testing.TestConfigs;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Messages that cross nodes survive the wire (CBOR, as configured) field by field: a move ordered
 * through another node's API, a node's holdings with its observer reason, a takeover event.
 */
class WireMessagesTest {

  private static final ActorTestKit kit = ActorTestKit.create("vkw", TestConfigs.clusterNode(""));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static Object roundTrip(Object message) {
    Serialization serialization = SerializationExtension.get(kit.system());
    var serializer = serialization.findSerializerFor(message);
    assertNotEquals("org.apache.pekko.serialization.JavaSerializer", serializer.getClass().getName(), "no Java serialization");
    byte[] bytes = serialization.serialize(message).get();
    return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
  }

  @Test
  void aMoveOrderedThroughAnotherNodeCrossesTheWire() {
    Decider.MoveTo move = new Decider.MoveTo("pekko://vipkeeper@198.18.0.12:25520", Decider.MoveReason.OPERATOR);
    assertEquals(move, roundTrip(move));
  }

  @Test
  void holdingsKeepTheObserverReasonAsItWas() {
    NodeIdentity n1 = new NodeIdentity("n1", "pekko://vipkeeper@198.18.0.11:25520");
    for (String observer : List.of("", "epoch journal unreadable: corrupt")) {
      InterfaceActor.Holdings holdings = new InterfaceActor.Holdings(n1, Map.of("web", 3L), Map.of("web", 4L), observer.isEmpty(), 1.0,
          Map.of("web", 1L), observer);
      InterfaceActor.Holdings back = (InterfaceActor.Holdings) roundTrip(holdings);
      assertEquals(holdings, back);
      assertEquals(!observer.isEmpty(), back.isObserver());
    }
  }

  @Test
  void aTakeoverEventKeepsItsPathAndPhases() {
    VipEvent.Takeover t = new VipEvent.Takeover("web", TakeoverPath.LEASE, "n2", "n3", 7, 640, 1_700_000_000_000L, 520, 20, 40, 30, 60);
    assertEquals(t, roundTrip(t));
  }

  @Test
  void theWitnessQuestionsAndAnswersCrossTheWire() {
    var sighted = kit.<io.vipkeeper.holder.WireWitness.Sighted>createTestProbe().getRef();
    var neighbours = kit.<io.vipkeeper.holder.WireWitness.Neighbours>createTestProbe().getRef();
    for (io.vipkeeper.holder.WireWitness.Question q : List.of(
        new io.vipkeeper.holder.WireWitness.SawAnnouncement("198.18.0.50", "02:18:00:00:00:0c", java.time.Duration.ofMillis(2500), sighted),
        new io.vipkeeper.holder.WireWitness.GetNeighbours(List.of("198.18.0.50"), neighbours))) {
      InterfaceActor.AskWitness ask = new InterfaceActor.AskWitness(q);
      assertEquals(ask, roundTrip(ask));
    }
    var known = new io.vipkeeper.holder.WireWitness.Neighbours(Map.of("198.18.0.50",
        List.of(new io.vipkeeper.driver.Neighbour("198.18.0.100", "02:18:00:00:01:64"))));
    assertEquals(known, roundTrip(known));
    var seen = new io.vipkeeper.holder.WireWitness.Sighted(new NodeIdentity("n1", "pekko://vipkeeper@198.18.0.11:25520"), true, false);
    assertEquals(seen, roundTrip(seen));
  }
}
