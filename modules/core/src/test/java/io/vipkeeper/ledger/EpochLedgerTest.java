package io.vipkeeper.ledger;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EpochLedgerTest {

  /** A system per test: a ledger catches up from the others it finds, which must not be another test's. */
  private ActorTestKit kit;
  private TestProbe<EpochLedger.Notice> notices;
  private EventSourcedBehaviorTestKit<EpochLedger.Command, EpochLedger.Event, EpochLedger.State> ledger;

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("ledger", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    notices = kit.createTestProbe();
    ledger = EventSourcedBehaviorTestKit.create(kit.system(), EpochLedger.create("n1", notices.getRef()));
    ledger.clear();
    awaitListed(1);
  }

  /** Without a cluster the ledger catches up alone, a moment after its start; only then does it grant. */
  private void awaitListed(int ledgers) {
    TestProbe<Receptionist.Listing> listing = kit.createTestProbe();
    listing.awaitAssert(Duration.ofSeconds(5), () -> {
      kit.system().receptionist().tell(Receptionist.find(EpochLedger.KEY, listing.getRef()));
      assertEquals(ledgers, listing.receiveMessage().getServiceInstances(EpochLedger.KEY).size(), "ledgers listed");
      return null;
    });
  }

  @Test
  void promisesOnlyHigherEpochsAndPersistsBeforeAnswering() {
    var first = ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 3, r));
    assertTrue(first.reply().promised());
    assertTrue(first.event() instanceof EpochLedger.Promised p && p.epoch() == 3);
    var same = ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 3, r));
    assertFalse(same.reply().promised(), "the same epoch is never promised twice");
    assertTrue(same.hasNoEvents());
    var lower = ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 2, r));
    assertFalse(lower.reply().promised());
    assertEquals(3, lower.reply().highest());
    assertTrue(ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("db", 1, r)).reply().promised(),
        "groups have their own epochs");
  }

  @Test
  void aRestartRemembersPromisesAndWhatWasHeld() {
    ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 5, r));
    ledger.runCommand(new EpochLedger.Record("web", 5, true, "test"));
    ledger.runCommand(new EpochLedger.Record("db", 2, true, "test"));
    ledger.runCommand(new EpochLedger.Record("db", 2, false, "test"));
    // Records are written by a later flush (group commit); a read is answered only behind them.
    ledger.runCommand(EpochLedger.GetHistory::new);
    ledger.restart();
    assertEquals(Map.of("web", 5L), ledger.getState().promised());
    assertEquals(Map.of("web", 5L), ledger.getState().holding(), "web was claimed and never released");
    var after = ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 5, r));
    assertFalse(after.reply().promised(), "after a restart the ledger does not start from epoch 0");
  }

  @Test
  void keepsTheOwnershipHistoryInOrder() {
    ledger.runCommand(new EpochLedger.Record("web", 1, true, "placed"));
    ledger.runCommand(new EpochLedger.Record("web", 1, false, "hand-over"));
    var history = ledger.<EpochLedger.History>runCommand(EpochLedger.GetHistory::new).reply();
    List<EpochLedger.Event> events = history.events();
    assertEquals(2, events.size());
    assertTrue(events.get(0) instanceof EpochLedger.Claimed c && c.reason().equals("placed"));
    assertTrue(events.get(1) instanceof EpochLedger.Released r && r.reason().equals("hand-over"));
  }

  @Test
  void renewalsAreGrantedFromMemoryUntilANewerEpochIsPromised() {
    long lease = 300_000_000L;
    ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 4, r));
    var renewed = ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 4L), lease, r));
    assertEquals(List.of("web"), renewed.reply().granted());
    assertTrue(renewed.hasNoEvents(), "a renewal costs no write");
    long seen = ledger.<EpochLedger.RenewalsSeen>runCommand(r -> new EpochLedger.LastRenewals(List.of("web"), r)).reply().sinceNanos().get("web");
    assertTrue(seen >= 0 && seen < lease, "the grant was just now: " + seen);
    var promise = ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 5, r)).reply();
    assertTrue(promise.promised());
    assertTrue(promise.backedForNanos() > 0 && promise.backedForNanos() <= lease,
        "the promise reports how long the lease it granted may still run: " + promise);
    ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("db", 1, r));
    var refused = ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 4L, "db", 1L), lease, r)).reply();
    assertEquals(List.of("db"), refused.granted(), "epoch 4 of web is no longer renewed once 5 is promised");
    assertEquals(Map.of("web", 5L), refused.superseded());
    var newer = ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 5L), lease, r)).reply();
    assertEquals(List.of("web"), newer.granted(), "the promised epoch itself is renewed");
  }

  @Test
  void aGroupNeverRenewedHereReportsNoGrant() {
    assertEquals(Map.of("web", -1L),
        ledger.<EpochLedger.RenewalsSeen>runCommand(r -> new EpochLedger.LastRenewals(List.of("web"), r)).reply().sinceNanos());
    var promise = ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 1, r)).reply();
    assertTrue(promise.backedForNanos() < 0, "nothing to wait for: " + promise);
  }

  @Test
  void aRenewalOfANewerEpochThanKnownIsLearnedBeforeItIsGranted() {
    var renewed = ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 7L), 300_000_000L, r));
    assertEquals(List.of("web"), renewed.reply().granted());
    assertTrue(renewed.event() instanceof EpochLedger.Promised p && p.epoch() == 7, "learned and persisted: " + renewed.events());
    assertFalse(ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 7, r)).reply().promised(),
        "a node that joined after epoch 7 was promised never helps promise it again");
  }

  /**
   * Two deciders racing for one epoch must not both hand out leases on it: once an epoch is
   * promised to a node, only that node's renewals of it are granted, whether the promise or the
   * target's own renewal came first; asking again for the same target is no second promise.
   */
  @Test
  void leasesOnAnEpochGoOnlyToTheNodeItWasPromisedTo() {
    long lease = 300_000_000L;
    assertTrue(ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 3, "A", r)).reply().promised());
    var other = ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 3L), lease, "B", r)).reply();
    assertEquals(List.of(), other.granted(), "epoch 3 was promised to A, not B: " + other);
    assertEquals(List.of("web"),
        ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 3L), lease, "A", r)).reply().granted());
    assertFalse(ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 3, "B", r)).reply().promised(),
        "a second decider's promise of the same epoch to another node");
    var again = ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 3, "A", r));
    assertTrue(again.reply().promised(), "the same epoch for the same target: promised already");
    assertTrue(again.hasNoEvents());

    // The target's renewal came first: learned for it, and the decider's promise to it then holds.
    var first = ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 4L), lease, "A", r));
    assertEquals(List.of("web"), first.reply().granted());
    assertTrue(first.event() instanceof EpochLedger.Promised p && p.epoch() == 4 && p.to().equals("A"), "learned for A: " + first.events());
    assertTrue(ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 4, "A", r)).reply().promised());
    assertFalse(ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 4, "B", r)).reply().promised());
    assertEquals(List.of(),
        ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 4L), lease, "B", r)).reply().granted());

    // A decider fencing epoch 5 waits for A's lease on 4, not for the lease its own target takes on 5.
    var five = ledger.<EpochLedger.PromiseResult>runCommand(r -> new EpochLedger.Promise("web", 5, "B", r)).reply();
    assertTrue(five.promised() && five.backedForNanos() > 0 && five.backedForNanos() <= lease, "A's lease on 4 may still run: " + five);
    ledger.<EpochLedger.Renewed>runCommand(r -> new EpochLedger.Renew(Map.of("web", 5L), lease, "B", r));
    ledger.runCommand(new EpochLedger.Renounce("web", 4));
    long backed = ledger.<EpochLedger.Backing>runCommand(r -> new EpochLedger.GetBacking("web", 5, r)).reply().backedForNanos();
    assertEquals(io.vipkeeper.lease.LeaseGrants.NEVER, backed, "A renounced; B's own lease on 5 is not waited for");
    ledger.restart();
    assertEquals(Map.of("web", "B"), ledger.getState().promisedTo(), "whom the newest epoch went to survives a restart");
  }

  /**
   * Group commit: promises that arrive together (a mass takeover) are written in one batch, and
   * decided in arrival order as if one by one: of two for the same group in one batch, the later,
   * lower one is refused.
   */
  @Test
  void promisesThatArriveTogetherAreWrittenTogether() {
    List<Integer> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
    PersistenceTestKit journal = PersistenceTestKit.create(kit.system());
    journal.withPolicy((id, operation) -> {
      if (operation instanceof WriteEvents w && id.equals("vipkeeper-ledger-n2")) writes.add(w.getBatch().size());
      return ProcessingSuccess.getInstance();
    });
    TestProbe<EpochLedger.PromiseResult> answers = kit.createTestProbe();
    var other = kit.spawn(EpochLedger.create("n2", notices.getRef()));
    for (int g = 0; g < 40; g++) other.tell(new EpochLedger.Promise("g" + g, 2, answers.getRef()));
    other.tell(new EpochLedger.Promise("g0", 1, answers.getRef()));
    other.tell(new EpochLedger.Record("g1", 2, true, "claimed"));
    TestProbe<EpochLedger.History> history = kit.createTestProbe();
    other.tell(new EpochLedger.GetHistory(history.getRef()));
    List<EpochLedger.PromiseResult> results = answers.receiveSeveralMessages(41, java.time.Duration.ofSeconds(5));
    assertEquals(40, results.stream().filter(EpochLedger.PromiseResult::promised).count(), "every first promise is given: " + results);
    var lower = results.stream().filter(r -> !r.promised()).findFirst().orElseThrow();
    assertEquals("g0", lower.group());
    assertEquals(2, lower.highest(), "refused against the promise ahead of it in the same batch");
    assertEquals(41, writes.stream().mapToInt(Integer::intValue).sum(), "40 promises and one record written: " + writes);
    assertTrue(writes.size() <= 3, "written in a few batches, not one write each: " + writes);
    assertTrue(history.receiveMessage().events().stream().anyMatch(e -> e instanceof EpochLedger.Claimed c && c.group().equals("g1")),
        "a read sees the writes asked for before it");
  }
}
