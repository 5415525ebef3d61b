package io.vipkeeper.ledger;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.testing.TestConfigs;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ledger on a cluster node is listed (votes) only after its node is Up: before it joins, a node
 * sees no members at all, and a restarted node would take that for "nobody else to catch up from".
 */
class LedgerListingTest {

  private final ActorTestKit kit = ActorTestKit.create("listing", TestConfigs.clusterNode(""));

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aLedgerIsListedOnlyOnceItsNodeIsUp() {
    TestProbe<EpochLedger.Notice> notices = kit.createTestProbe();
    kit.spawn(EpochLedger.create("n1", notices.getRef()), "ledger");
    notices.expectMessageClass(EpochLedger.Ready.class, Duration.ofSeconds(10));
    TestProbe<Receptionist.Listing> listings = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.subscribe(EpochLedger.KEY, listings.getRef()));
    assertTrue(listings.receiveMessage().getServiceInstances(EpochLedger.KEY).isEmpty());
    // Twice the first catch-up's wait and more: long enough for a ledger that did not wait for Up to list itself.
    listings.expectNoMessage(Duration.ofMillis(1500));

    TestConfigs.joinSelf(kit);
    var listed = listings.receiveMessage(Duration.ofSeconds(10));
    assertEquals(1, listed.getServiceInstances(EpochLedger.KEY).size(), "listed once Up: " + listed);
  }
}
