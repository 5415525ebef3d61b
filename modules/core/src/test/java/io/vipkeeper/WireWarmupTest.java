package io.vipkeeper;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.testing.TestConfigs;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's samples are the messages a move sends between nodes, through the configured
 * serializer: each one written and read back equal (a message that did not survive the wire would
 * fail a move between nodes, never one inside a single JVM).
 */
class WireWarmupTest {

  private ActorTestKit kit;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("wire", TestConfigs.clusterNode(""));
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void everyMessageOfAMoveComesBackFromTheWireAsItWasWritten() {
    Map<String, Boolean> trips = WireWarmup.roundTrips(kit.system());
    assertEquals(WireWarmup.samples(kit.system()).size(), trips.size(), "one sample per message class: " + trips.keySet());
    assertTrue(trips.keySet().stream().anyMatch(n -> n.endsWith("InterfaceActor$Prepare")), trips.keySet().toString());
    assertFalse(trips.containsValue(false), "these did not come back equal: " + trips);
  }
}
