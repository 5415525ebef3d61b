package io.vipkeeper.ledger;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.testing.ClusterKits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A starting ledger catches up from the other members' ledgers also while the receptionist does
 * not list them yet: it asks them at the path every node spawns its ledger at, learns what they
 * promised, and is listed as soon as a surviving set of them answered.
 */
class LedgerCatchUpTest {

  @RegisterExtension
  final ClusterKits kits = new ClusterKits();

  @Test
  void aLedgerCatchesUpFromAPeerTheReceptionistDoesNotListYet() {
    List<ActorTestKit> two = kits.up("vkc", 2);
    ActorTestKit peer = two.get(0);
    ActorTestKit starting = two.get(1);
    peer.spawn(Behaviors.setup(c -> {
      c.spawn(Behaviors.<EpochLedger.Command>receiveMessage(m -> {
        if (m instanceof EpochLedger.GetPromises get) get.replyTo().tell(new EpochLedger.Promises("peer", Map.of("web", 7L)));
        return Behaviors.same();
      }), "ledger"); // never registered with the receptionist
      return Behaviors.empty();
    }), "iface");

    TestProbe<Receptionist.Listing> listings = starting.createTestProbe();
    starting.system().receptionist().tell(Receptionist.subscribe(EpochLedger.KEY, listings.getRef()));
    TestProbe<EpochLedger.Notice> notices = starting.createTestProbe();
    starting.spawn(Behaviors.setup(c -> {
      c.spawn(EpochLedger.create("n2", notices.getRef()), "ledger");
      return Behaviors.empty();
    }), "iface");
    EpochLedger.Notice learned = notices.fishForMessage(Duration.ofSeconds(10), n -> n instanceof EpochLedger.NewPromise
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).stream().reduce((a, b) -> b).orElseThrow();
    assertEquals(new EpochLedger.NewPromise("web", 7), learned, "learned the peer's promise");
    listings.fishForMessage(Duration.ofSeconds(5), l -> l.getServiceInstances(EpochLedger.KEY).isEmpty()
        ? FishingOutcomes.continueAndIgnore() : FishingOutcomes.complete());
  }
}
