package io.vipkeeper.holder;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.VipEvent;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The other nodes are stand-ins registered as interface actors; each answers from a witness of its own. */
class AnnouncementCheckTest {

  private static final String MAC = "02:18:00:00:00:0c";
  private static final VipGroup WEB = new VipGroup("web", List.of(VipAddress.parse("2001:db8::50/64"), VipAddress.parse("198.18.0.50/24")));
  private ActorTestKit kit = ActorTestKit.create();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  /** A node whose interface actor answers every witness question with {@code seen}. */
  private void node(String name, boolean watching, boolean seen) {
    Behavior<InterfaceActor.Command> answering = Behaviors.receive(InterfaceActor.Command.class)
        .onMessage(InterfaceActor.AskWitness.class, a -> {
          WireWitness.SawAnnouncement q = assertInstanceOf(WireWitness.SawAnnouncement.class, a.question());
          assertEquals("198.18.0.50", q.ip(), "asked about the first IPv4 address");
          q.replyTo().tell(new WireWitness.Sighted(new NodeIdentity(name, name), watching, seen));
          return Behaviors.same();
        }).build();
    ActorRef<InterfaceActor.Command> ref = kit.spawn(answering, name);
    TestProbe<Receptionist.Registered> registered = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.register(InterfaceActor.KEY, ref, registered.getRef()));
    registered.receiveMessage();
  }

  private TestProbe<VipEvent> check() {
    TestProbe<VipEvent> events = kit.createTestProbe();
    kit.system().eventStream().tell(new EventStream.Subscribe<>(VipEvent.class, events.getRef()));
    TestProbe<InterfaceActor.Command> self = kit.createTestProbe();
    kit.spawn(AnnouncementCheck.create(WEB, "198.18.0.50", MAC, Duration.ofSeconds(2), false, self.getRef()));
    return events;
  }

  @Test
  void noNodeSawItIsReportedWithTheNodesAsked() {
    node("n1", true, false);
    node("n3", true, false);
    VipEvent event = check().receiveMessage(Duration.ofSeconds(3));
    VipEvent.AnnouncementNotSeen notSeen = assertInstanceOf(VipEvent.AnnouncementNotSeen.class, event);
    assertEquals("web", notSeen.group());
    assertEquals(MAC, notSeen.mac());
    assertEquals(List.of("n1", "n3"), notSeen.askedNodes().stream().sorted().toList());
  }

  @Test
  void oneNodeThatSawItIsEnough() {
    node("n1", true, false);
    node("n3", true, true);
    check().expectNoMessage(Duration.ofMillis(1500));
  }

  @Test
  void nodesThatCannotTellAreNoEvidence() {
    node("n1", false, false);
    node("n3", false, false);
    check().expectNoMessage(Duration.ofMillis(1500));
  }
}
