package io.vipkeeper.holder;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.driver.AddressSighting;
import io.vipkeeper.driver.Neighbour;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class WireWitnessTest {

  private static final ActorTestKit kit = ActorTestKit.create();
  private static final NodeIdentity NODE = new NodeIdentity("n2", "198.18.0.12");
  private static final String NEW = "02:18:00:00:00:0c";
  private static final String CLIENT = "02:18:00:00:01:64";
  private static final VipGroup WEB = new VipGroup("web", List.of(VipAddress.parse("198.18.0.50/24")));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private WireWitness.Sighted ask(ActorRef<WireWitness.Command> witness, String ip, String mac, Duration within) {
    TestProbe<WireWitness.Sighted> probe = kit.createTestProbe();
    witness.tell(new WireWitness.SawAnnouncement(ip, mac, within, probe.getRef()));
    return probe.receiveMessage();
  }

  @Test
  void saysWhetherTheGratuitousArpOfThatMacArrivedRecently() throws Exception {
    ActorRef<WireWitness.Command> witness = kit.spawn(WireWitness.create(NODE, List.of(WEB)));
    assertFalse(ask(witness, "198.18.0.50", NEW, Duration.ofSeconds(2)).seen(), "nothing seen yet");
    witness.tell(new WireWitness.Seen(new AddressSighting("198.18.0.50", NEW.toUpperCase(), "gratuitous-arp")));
    witness.tell(new WireWitness.Seen(new AddressSighting("198.18.0.50", NEW, "arp-reply")));
    WireWitness.Sighted seen = ask(witness, "198.18.0.50", NEW, Duration.ofSeconds(2));
    assertTrue(seen.seen() && seen.watching(), "seen: " + seen);
    assertEquals(NODE, seen.node());
    assertFalse(ask(witness, "198.18.0.50", "02:18:00:00:00:0b", Duration.ofSeconds(2)).seen(), "another MAC's announcement was not seen");
    Thread.sleep(60);
    assertFalse(ask(witness, "198.18.0.50", NEW, Duration.ofMillis(50)).seen(), "too long ago");
    witness.tell(new WireWitness.Seen(new AddressSighting("198.18.0.99", NEW, "gratuitous-arp")));
    assertFalse(ask(witness, "198.18.0.99", NEW, Duration.ofSeconds(2)).seen(), "not a VIP: not kept");
  }

  @Test
  void knowsTheHostsThatAskForTheVipAndThoseTheHolderAsksFor() {
    ActorRef<WireWitness.Command> witness = kit.spawn(WireWitness.create(NODE, List.of(WEB)));
    witness.tell(new WireWitness.Seen(new AddressSighting("198.18.0.100", CLIENT, "arp-request", "198.18.0.50")));
    witness.tell(new WireWitness.Seen(new AddressSighting("198.18.0.50", "02:18:00:00:00:0b", "arp-request", "198.18.0.101")));
    witness.tell(new WireWitness.Seen(new AddressSighting("198.18.0.50", "02:18:00:00:00:0b", "arp-request", "198.18.0.100")));
    witness.tell(new WireWitness.Seen(new AddressSighting("198.18.0.102", CLIENT, "arp-request", "198.18.0.1")));
    TestProbe<WireWitness.Neighbours> probe = kit.createTestProbe();
    witness.tell(new WireWitness.GetNeighbours(List.of("198.18.0.50"), probe.getRef()));
    assertEquals(List.of(new Neighbour("198.18.0.101", ""), new Neighbour("198.18.0.100", CLIENT)),
        probe.receiveMessage().byVip().get("198.18.0.50"), "a known MAC is kept; .102 asked for something else");
  }

  @Test
  void keepsTheMostRecentTalkersOnly() {
    ActorRef<WireWitness.Command> witness = kit.spawn(WireWitness.create(NODE, List.of(WEB)));
    int extra = 10;
    for (int i = 0; i < WireWitness.TALKERS_PER_VIP + extra; i++) {
      witness.tell(new WireWitness.Seen(new AddressSighting("198.18." + (2 + i / 250) + "." + (i % 250), CLIENT, "arp-request", "198.18.0.50")));
    }
    TestProbe<WireWitness.Neighbours> probe = kit.createTestProbe();
    witness.tell(new WireWitness.GetNeighbours(List.of("198.18.0.50"), probe.getRef()));
    List<Neighbour> known = probe.receiveMessage().byVip().get("198.18.0.50");
    assertEquals(WireWitness.TALKERS_PER_VIP, known.size());
    assertEquals("198.18.2." + extra, known.get(0).ip(), "the oldest ones went first");
  }

  @Test
  void aNodeWithoutCaptureSaysItCannotTell() {
    TestProbe<WireWitness.Sighted> sighted = kit.createTestProbe();
    new WireWitness.SawAnnouncement("198.18.0.50", NEW, Duration.ofSeconds(1), sighted.getRef()).cannotTell(NODE);
    assertEquals(new WireWitness.Sighted(NODE, false, false), sighted.receiveMessage());
    TestProbe<WireWitness.Neighbours> neighbours = kit.createTestProbe();
    new WireWitness.GetNeighbours(List.of("198.18.0.50"), neighbours.getRef()).cannotTell(NODE);
    assertEquals(Map.of(), neighbours.receiveMessage().byVip());
  }
}
