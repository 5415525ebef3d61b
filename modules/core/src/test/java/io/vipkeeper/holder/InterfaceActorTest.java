package io.vipkeeper.holder;

import static org.junit.jupiter.api.Assertions.assertFalse;
import java.util.Set;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.model.NodeIdentity;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.testing.FakeNic;
import io.vipkeeper.testing.TestConfigs;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import com.typesafe.config.ConfigFactory;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.membership.Quorum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import com.typesafe.config.Config;
import io.vipkeeper.OwnershipChanged;
import java.util.Map;

class InterfaceActorTest {

  private static final Config CONFIG = TestConfigs.clusterNode("");
  /** A cluster of one per test: ledgers of one system all grant leases and share what they promised. */
  private ActorTestKit kit;
  private static final VipAddress VIP = VipAddress.parse("198.18.0.50/24");
  private static final VipGroup WEB = new VipGroup("web", List.of(VIP));
  private static final VipGroup DB = new VipGroup("fenced", List.of(VipAddress.parse("198.18.0.60/24")));
  private static final VipGroup VMAC_DB = new VipGroup("db", List.of(VipAddress.parse("198.18.0.51/24")), "00:00:5e:00:01:33");
  private static final VipKeeperSettings SETTINGS = VipKeeperSettings.create(ConfigFactory.parseString(
      "vipkeeper.announce { count = 3, interval = 20ms, forms = [request] }").withFallback(CONFIG));
  private static final Quorum MAJORITY = new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0);
  private static final AtomicInteger nodes = new AtomicInteger();

  /** A one-node cluster: the node is a surviving set of itself, so its own ledgers grant leases. */
  @BeforeEach
  void join() {
    kit = ActorTestKit.create("iface", CONFIG);
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(MemberStatus.up(), cluster.selfMember().status());
      return null;
    });
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  /** Each actor gets its own node name, so its ledger has its own persistence id. */
  private ActorRef<InterfaceActor.Command> spawn(FakeNic nic) {
    return spawn(nic, SETTINGS);
  }

  private ActorRef<InterfaceActor.Command> spawn(FakeNic nic, VipKeeperSettings settings) {
    NodeIdentity node = new NodeIdentity("n" + nodes.incrementAndGet(), "pekko://iface@127.0.0.1:1");
    ActorRef<InterfaceActor.Command> iface = kit.spawn(InterfaceActor.create(settings, node, nic.drivers(), MAJORITY));
    // The groups these tests claim besides the configured "web", as the catalog would list them.
    iface.tell(new InterfaceActor.Catalogued(Map.of(DB.name(), DB, VMAC_DB.name(), VMAC_DB)));
    return iface;
  }

  @Test
  void aRuntimeGroupChangedInTheCatalogIsReleasedAndOnlyItsNewDefinitionClaimed() {
    ActorRef<InterfaceActor.Command> iface = spawn(new FakeNic("A", FakeNic.newLog()));
    assertTrue(claim(iface, DB, 1).claimed());
    VipGroup changed = new VipGroup(DB.name(), List.of(VipAddress.parse("198.18.0.61/24")));
    iface.tell(new InterfaceActor.Catalogued(Map.of(DB.name(), changed)));
    TestProbe<InterfaceActor.Holdings> holdings = kit.createTestProbe();
    iface.tell(new InterfaceActor.QueryHoldings(holdings.getRef()));
    assertFalse(holdings.receiveMessage().held().containsKey(DB.name()), "the old definition's addresses are released");
    assertFalse(claim(iface, DB, 2).claimed(), "a claim with the old definition is refused");
    assertTrue(claim(iface, changed, 2).claimed());
  }

  @Test
  void aClaimThatOutranTheCatalogIsCarriedOutOnceTheCatalogListsTheGroup() {
    FakeNic nic = new FakeNic("A", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    VipGroup fresh = new VipGroup("fresh", List.of(VipAddress.parse("198.18.0.71/24")));
    TestProbe<InterfaceActor.ClaimResult> reply = kit.createTestProbe();
    iface.tell(new InterfaceActor.Claim(fresh, 1, null, reply.getRef()));
    reply.expectNoMessage(Duration.ofMillis(300)); // waits for the catalog instead of refusing
    iface.tell(new InterfaceActor.Catalogued(Map.of(DB.name(), DB, VMAC_DB.name(), VMAC_DB, fresh.name(), fresh)));
    InterfaceActor.ClaimResult result = reply.receiveMessage();
    assertTrue(result.claimed(), result.error());
    assertTrue(nic.has("198.18.0.71"));
  }

  @Test
  void refusesAClaimForAGroupNoCatalogKnows() {
    ActorRef<InterfaceActor.Command> iface = spawn(new FakeNic("A", FakeNic.newLog()));
    InterfaceActor.ClaimResult unknown = claim(iface, new VipGroup("ghost", List.of(VipAddress.parse("198.18.0.70/24"))), 1);
    assertFalse(unknown.claimed());
    assertTrue(unknown.error().contains("not in this node's catalog"), unknown.error());
  }

  private static VipKeeperSettings announcing(String announce) {
    return VipKeeperSettings.create(ConfigFactory.parseString("vipkeeper.announce { " + announce + " }")
        .withFallback(CONFIG));
  }

  private static VipKeeperSettings hooked(String notify) {
    return VipKeeperSettings.create(ConfigFactory.parseString("vipkeeper.notify { " + notify + " }")
        .withFallback(CONFIG));
  }

  @Test
  void notifyHooksGetTheEventGroupEpochReasonAndAddresses(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("events");
    String append = "printf '%s|' \\\"$@\\\" >> " + out + "; echo \\\"$VIPKEEPER_EVENT\\\" >> " + out;
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic, hooked("claim = \"" + append + "\", release = \"" + append + "\""));
    assertTrue(claim(iface, 7).claimed());
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    iface.tell(new InterfaceActor.Release("web", "drained", released.getRef()));
    released.receiveMessage();
    released.awaitAssert(() -> {
      String events = Files.exists(out) ? Files.readString(out) : "";
      assertTrue(events.contains("claim|web|7|ordered by the group's decider|198.18.0.50/24|claim"), events);
      assertTrue(events.contains("release|web|7|drained|198.18.0.50/24|release"), events);
      return null;
    });
  }

  @Test
  void aFailingCheckReleasesAndRefusesUntilItPassesAgain(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken");
    VipKeeperSettings settings = VipKeeperSettings.create(ConfigFactory.parseString(
        "vipkeeper.health.check { command = \"test ! -e " + broken + "\", interval = 50ms, fall = 2, rise = 2 }")
        .withFallback(CONFIG));
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic, settings);
    assertTrue(claim(iface, 1).claimed());
    Files.createFile(broken);
    TestProbe<Void> probe = kit.createTestProbe();
    probe.awaitAssert(() -> { assertFalse(nic.has("198.18.0.50"), "released after 2 failed checks"); return null; });
    InterfaceActor.ClaimResult refused = claim(iface, 2);
    assertFalse(refused.claimed());
    assertTrue(refused.error().contains("check failed 2 times in a row"), refused.error());
    Files.delete(broken);
    probe.awaitAssert(() -> { assertTrue(claim(iface, 3).claimed(), "eligible again after 2 passes"); return null; });
  }

  @Test
  void aHangingHookDoesNotDelayARelease() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic, hooked("claim = \"sleep 30\", release = \"sleep 30\", timeout = 2s"));
    assertTrue(claim(iface, 1).claimed());
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    iface.tell(new InterfaceActor.Release("web", "test", released.getRef()));
    // The claim hook is still sleeping: the release must not wait for it.
    assertTrue(released.receiveMessage(Duration.ofMillis(500)).released());
    assertFalse(nic.has("198.18.0.50"));
  }

  @Test
  void aSecondBurstFollowsAfterItsDelayAndNothingMore() throws Exception {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic, announcing("count = 2, interval = 20ms, second-burst-delay = 300ms, refresh-interval = 0s"));
    assertTrue(claim(iface, 1).claimed());
    Thread.sleep(150);
    assertEquals(2, nic.framesSent(), "the first burst only, before the delay");
    TestProbe<Void> probe = kit.createTestProbe();
    probe.awaitAssert(() -> { assertEquals(4, nic.framesSent(), "the second burst after 300 ms"); return null; });
    Thread.sleep(400);
    assertEquals(4, nic.framesSent(), "no rounds after the second burst when refresh is off");
  }

  @Test
  void refreshRoundsRunWhileHeldAndStopOnRelease() throws Exception {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic, announcing("count = 1, interval = 20ms, second-burst-delay = 0s, refresh-interval = 100ms"));
    assertTrue(claim(iface, 1).claimed());
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    released.awaitAssert(() -> { assertTrue(nic.framesSent() >= 4, "refresh rounds: " + nic.framesSent()); return null; });
    iface.tell(new InterfaceActor.Release("web", "test", released.getRef()));
    released.receiveMessage();
    long afterRelease = nic.framesSent();
    Thread.sleep(350);
    assertEquals(afterRelease, nic.framesSent(), "no announcements for a VIP no longer held");
  }

  /**
   * A planned move's target takes its lease ahead of the claim and touches nothing else: the
   * decider's ledger hears its renewals while the address stays off, and the claim then holds it.
   * A prepare that no claim follows ends its lease (renounced) after claim-timeout.
   */
  @Test
  void aPreparedLeaseAddsNothingBeforeTheClaimAndLapsesWithoutOne() {
    VipKeeperSettings settings = VipKeeperSettings.create(ConfigFactory.parseString("vipkeeper.claim-timeout = 1s").withFallback(CONFIG));
    FakeNic nic = new FakeNic("A", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic, settings);
    TestProbe<EpochLedger.Command> watcher = kit.createTestProbe();
    iface.tell(new InterfaceActor.Prepare(WEB.name(), 1, watcher.getRef()));
    assertEquals(Map.of(WEB.name(), 1L), watcher.expectMessageClass(EpochLedger.Renew.class, Duration.ofSeconds(5)).epochs());
    watcher.expectMessageClass(EpochLedger.Renew.class);
    assertFalse(nic.has("198.18.0.50"), "a prepare never adds the address");
    assertTrue(claim(iface, WEB, 1).claimed());
    assertTrue(nic.has("198.18.0.50"));

    iface.tell(new InterfaceActor.Prepare(DB.name(), 2, watcher.getRef()));
    watcher.fishForMessage(Duration.ofSeconds(5), m -> m instanceof EpochLedger.Renounce r && r.group().equals(DB.name())
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    EpochLedger.Renew after = watcher.expectMessageClass(EpochLedger.Renew.class);
    assertEquals(Set.of(WEB.name()), after.epochs().keySet(), "the lapsed lease is no longer renewed");
    assertFalse(nic.has("198.18.0.60"), "nor was its address ever added");
  }

  /**
   * The prepared target's addresses go into the kernel fence with its lease, so the claim only adds
   * them (one guard, before the add); a prepare without a claim takes them out again, never added.
   */
  @Test
  void aPreparedTargetIsFencedAheadAndItsClaimOnlyAdds() {
    VipKeeperSettings settings = VipKeeperSettings.create(ConfigFactory.parseString("vipkeeper.claim-timeout = 1s").withFallback(CONFIG));
    List<String> log = FakeNic.newLog();
    FakeNic nic = new FakeNic("A", log).fenced();
    ActorRef<InterfaceActor.Command> iface = spawn(nic, settings);
    TestProbe<EpochLedger.Command> watcher = kit.createTestProbe();
    iface.tell(new InterfaceActor.Prepare(WEB.name(), 1, watcher.getRef()));
    watcher.awaitAssert(() -> { assertTrue(log.contains("A guard 198.18.0.50"), log.toString()); return null; });
    assertFalse(nic.has("198.18.0.50"), "guarded, not added: " + log);
    assertTrue(claim(iface, WEB, 1).claimed());
    assertEquals(List.of("A guard 198.18.0.50", "A add 198.18.0.50"),
        log.stream().filter(l -> l.contains("198.18.0.50") && !l.contains("announce")).toList(), "one guard, ahead of the add");

    iface.tell(new InterfaceActor.Prepare(DB.name(), 2, watcher.getRef()));
    watcher.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(List.of("A guard 198.18.0.60", "A unguard 198.18.0.60"),
          log.stream().filter(l -> l.contains("198.18.0.60")).toList(), "a prepare that lapses is unguarded, never added");
      return null;
    });
  }

  private InterfaceActor.ClaimResult claim(ActorRef<InterfaceActor.Command> iface, long epoch) {
    return claim(iface, WEB, epoch);
  }

  private InterfaceActor.ClaimResult claim(ActorRef<InterfaceActor.Command> iface, VipGroup group, long epoch) {
    TestProbe<InterfaceActor.ClaimResult> reply = kit.createTestProbe();
    iface.tell(new InterfaceActor.Claim(group, epoch, null, reply.getRef()));
    InterfaceActor.ClaimResult result = reply.receiveMessage();
    if (!result.claimed()) System.out.println("claim of " + group.name() + " at epoch " + epoch + " refused: " + result.error());
    return result;
  }

  private ActorRef<EpochLedger.Command> ledgerOf(ActorRef<InterfaceActor.Command> iface) {
    TestProbe<Receptionist.Listing> listing = kit.createTestProbe();
    return listing.awaitAssert(() -> {
      kit.system().receptionist().tell(Receptionist.find(EpochLedger.KEY, listing.getRef()));
      return listing.receiveMessage().getServiceInstances(EpochLedger.KEY).stream()
          .filter(l -> l.path().parent().equals(iface.path())).findFirst().orElseThrow();
    });
  }

  @Test
  void aStoppingNodeKeepsWhatItHoldsUntilReleasedButTakesNoNewClaim() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    assertTrue(claim(iface, 1).claimed());
    TestProbe<InterfaceActor.Vacating> vacating = kit.createTestProbe();
    iface.tell(new InterfaceActor.Vacate(vacating.getRef()));
    assertEquals(Set.of("web"), vacating.receiveMessage().held());
    assertTrue(nic.has("198.18.0.50"), "still held until its decider moves it");
    InterfaceActor.ClaimResult refused = claim(iface, DB, 2);
    assertFalse(refused.claimed());
    assertTrue(refused.error().contains("stopping"), refused.error());
    TestProbe<InterfaceActor.Holdings> holdings = kit.createTestProbe();
    iface.tell(new InterfaceActor.QueryHoldings(holdings.getRef()));
    assertFalse(holdings.receiveMessage().canClaim(), "no decider picks a stopping node");
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    iface.tell(new InterfaceActor.Release("web", "moving to n2", released.getRef()));
    assertTrue(released.receiveMessage().released());
    assertFalse(nic.has("198.18.0.50"));
  }

  @Test
  void claimAddsTheAddressThenAnnouncesInRounds() {
    List<String> log = FakeNic.newLog();
    FakeNic nic = new FakeNic("n1", log);
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    TestProbe<InterfaceActor.ClaimResult> reply = kit.createTestProbe();
    iface.tell(new InterfaceActor.Claim(WEB, 1, null, reply.getRef()));
    InterfaceActor.ClaimResult result = reply.receiveMessage();
    assertTrue(result.claimed(), result.error());
    assertTrue(nic.has("198.18.0.50"));
    reply.awaitAssert(() -> { assertEquals(3, nic.framesSent(), log.toString()); return null; });
    assertEquals(List.of("n1 add 198.18.0.50", "n1 announce 198.18.0.50", "n1 announce 198.18.0.50",
        "n1 announce 198.18.0.50"), log, "add comes before the first announcement");
  }

  @Test
  void aVmacGroupsMacIsGuardedWithItsAddressesAndForgottenWithThem() {
    List<String> log = FakeNic.newLog();
    ActorRef<InterfaceActor.Command> iface = spawn(new FakeNic("n1", log).fenced());
    TestProbe<InterfaceActor.ClaimResult> reply = kit.createTestProbe();
    iface.tell(new InterfaceActor.Claim(VMAC_DB, 1, null, reply.getRef()));
    assertTrue(reply.receiveMessage().claimed());
    assertTrue(log.contains("n1 guard 00:00:5e:00:01:33") && log.contains("n1 guard 198.18.0.51"), "the MAC is leased with the address: " + log);
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    iface.tell(new InterfaceActor.Release("db", "test", released.getRef()));
    assertTrue(released.receiveMessage().released());
    assertTrue(log.contains("n1 unguard 00:00:5e:00:01:33") && log.contains("n1 unguard 198.18.0.51"), "and forgotten with it: " + log);
  }

  @Test
  void aVmacGroupGetsItsOwnLinkAndAnnouncesFromItsMac() {
    List<String> log = FakeNic.newLog();
    FakeNic nic = new FakeNic("n1", log);
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    VipGroup db = VMAC_DB;
    TestProbe<InterfaceActor.ClaimResult> reply = kit.createTestProbe();
    iface.tell(new InterfaceActor.Claim(db, 1, null, reply.getRef()));
    assertTrue(reply.receiveMessage().claimed());
    assertTrue(nic.exists("vk000133"), log.toString());
    reply.awaitAssert(() -> { assertTrue(log.contains("n1 announce 198.18.0.51 from 00:00:5e:00:01:33"), log.toString()); return null; });
    assertTrue(log.indexOf("n1 teach 00:00:5e:00:01:33") < log.indexOf("n1 announce 198.18.0.51 from 00:00:5e:00:01:33")
        && log.contains("n1 teach 00:00:5e:00:01:33"), "switches learn the MAC before the first G-ARP: " + log);
    // 3 rounds with a learning frame each, then one a learning-interval (1 s) later
    reply.awaitAssert(Duration.ofSeconds(3), () -> { assertEquals(4, teaching(log), log.toString()); return null; });
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    iface.tell(new InterfaceActor.Release("db", "test", released.getRef()));
    assertTrue(released.receiveMessage().released());
    assertFalse(nic.exists("vk000133"), "release removes the macvlan: " + log);
    released.expectNoMessage(Duration.ofMillis(1300));
    assertEquals(4, teaching(log), "no learning frames once released: " + log);
  }

  private static long teaching(List<String> log) {
    return log.stream().filter(l -> l.startsWith("n1 teach")).count();
  }

  @Test
  void subscribersHearOfWhatIsHeldAndOfEveryChange() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    assertTrue(claim(iface, 2).claimed());
    TestProbe<OwnershipChanged> watcher = kit.createTestProbe();
    iface.tell(new InterfaceActor.WatchOwnership(watcher.getRef()));
    assertEquals(new OwnershipChanged("web", true, 2, "held"), watcher.receiveMessage());
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    iface.tell(new InterfaceActor.Release("web", "drained", released.getRef()));
    assertEquals(new OwnershipChanged("web", false, 2, "drained"), watcher.receiveMessage());
    assertTrue(claim(iface, 3).claimed());
    assertEquals(new OwnershipChanged("web", true, 3, "claimed"), watcher.receiveMessage());
  }

  /**
   * A planned move's release carries the claim for the target: it goes on only once the address is
   * gone here, and not at all when the release failed (the address is still here).
   */
  @Test
  void aReleaseHandsTheClaimOnOnlyOnceTheAddressIsGone() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    assertTrue(claim(iface, 1).claimed());
    // The target notes whether the address was still here at the moment the claim reached it.
    TestProbe<Object> seen = kit.createTestProbe();
    ActorRef<InterfaceActor.Command> target = kit.spawn(Behaviors.receiveMessage(m -> {
      seen.getRef().tell(nic.has("198.18.0.50"));
      seen.getRef().tell(m);
      return Behaviors.same();
    }));
    TestProbe<InterfaceActor.ClaimResult> decider = kit.createTestProbe();
    InterfaceActor.Claim next = new InterfaceActor.Claim(WEB, 2, null, decider.getRef());
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();

    nic.failRemoves("RTNETLINK answers: Operation not permitted");
    iface.tell(new InterfaceActor.Release("web", "moving to n2", released.getRef(), new InterfaceActor.HandOff(target, next)));
    InterfaceActor.ReleaseResult failed = released.receiveMessage();
    assertFalse(failed.released() || failed.handedOff(), "a failed release hands nothing on: " + failed);
    seen.expectNoMessage(Duration.ofMillis(200));
    assertTrue(nic.has("198.18.0.50"));

    nic.failRemoves(null);
    iface.tell(new InterfaceActor.Release("web", "moving to n2", released.getRef(), new InterfaceActor.HandOff(target, next)));
    assertEquals(false, seen.receiveMessage(), "the claim goes on once the address is gone here");
    assertEquals(next, seen.receiveMessage());
    InterfaceActor.ReleaseResult done = released.receiveMessage();
    assertTrue(done.released() && done.handedOff(), done.toString());
  }

  /**
   * A stopping holder is told to release beside the promise: it keeps serving until its own ledger
   * has promised the move's epoch, then releases and hands the claim on.
   */
  @Test
  void aReleaseToldBesideThePromiseWaitsUntilThisNodesLedgerPromisedItsEpoch() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    assertTrue(claim(iface, 1).claimed());
    TestProbe<InterfaceActor.Command> target = kit.createTestProbe();
    InterfaceActor.Claim next = new InterfaceActor.Claim(WEB, 2, null, kit.<InterfaceActor.ClaimResult>createTestProbe().getRef());
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    iface.tell(new InterfaceActor.Release("web", "moving to n2", released.getRef(), new InterfaceActor.HandOff(target.getRef(), next), 2));
    released.expectNoMessage(Duration.ofMillis(300));
    assertTrue(nic.has("198.18.0.50"), "still serving while epoch 2 is not promised here");
    target.expectNoMessage(Duration.ZERO);
    TestProbe<EpochLedger.PromiseResult> promised = kit.createTestProbe();
    ledgerOf(iface).tell(new EpochLedger.Promise("web", 2, "n2", promised.getRef()));
    assertTrue(promised.receiveMessage().promised());
    InterfaceActor.ReleaseResult done = released.receiveMessage(Duration.ofSeconds(3));
    assertTrue(done.released() && done.handedOff(), done.toString());
    assertFalse(nic.has("198.18.0.50"));
    assertEquals(next, target.receiveMessage());
  }

  @Test
  void releaseRemovesTheAddressAndIsIdempotent() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    assertTrue(claim(iface, 1).claimed());
    TestProbe<InterfaceActor.ReleaseResult> released = kit.createTestProbe();
    iface.tell(new InterfaceActor.Release("web", "test", released.getRef()));
    assertTrue(released.receiveMessage().released());
    assertFalse(nic.has("198.18.0.50"));
    iface.tell(new InterfaceActor.Release("web", "again", released.getRef()));
    assertTrue(released.receiveMessage().released());
  }

  /**
   * A mass takeover: claims that arrive together are carried out together (one look at the host's
   * addresses for the lot), and one group whose address is someone else's is refused alone.
   */
  @Test
  void claimsThatArriveTogetherAreCarriedOutTogetherAndOneBadGroupSinksNoOther() {
    List<String> log = FakeNic.newLog();
    FakeNic nic = new FakeNic("n1", log);
    nic.preload(VipAddress.parse("198.18.0.77/24"));
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    Map<String, VipGroup> groups = new java.util.TreeMap<>();
    for (int g = 0; g < 20; g++) groups.put("m" + g, new VipGroup("m" + g, List.of(VipAddress.parse("198.18.0." + (70 + g) + "/24"))));
    iface.tell(new InterfaceActor.Catalogued(groups));
    TestProbe<InterfaceActor.ClaimResult> reply = kit.createTestProbe();
    // The replies also go into the NIC's log, to see them in order with the adds and announcements.
    ActorRef<InterfaceActor.ClaimResult> logged = kit.spawn(Behaviors.receiveMessage(r -> {
      log.add("n1 reply " + r.group());
      reply.getRef().tell(r);
      return Behaviors.same();
    }));
    groups.values().forEach(g -> iface.tell(new InterfaceActor.Claim(g, 1, null, logged)));
    List<InterfaceActor.ClaimResult> results = reply.receiveSeveralMessages(20, Duration.ofSeconds(10));
    List<String> beforeFirstReply = List.copyOf(log.subList(0, log.indexOf(log.stream().filter(l -> l.contains(" reply ")).findFirst().orElseThrow())));
    beforeFirstReply.stream().filter(l -> l.contains(" add ")).forEach(add -> assertTrue(beforeFirstReply.contains(add.replace(" add ", " announce ")),
        "every group added with the first batch is announced before any claim of it is answered: " + log));
    List<InterfaceActor.ClaimResult> refused = results.stream().filter(r -> !r.claimed()).toList();
    assertEquals(1, refused.size(), "only the group whose address is on the host already: " + refused);
    assertEquals("m7", refused.get(0).group());
    assertTrue(refused.get(0).error().contains("not put there by vipkeeper"), refused.get(0).error());
    for (int g = 0; g < 20; g++) if (g != 7) assertTrue(nic.has("198.18.0." + (70 + g)), "m" + g + " added");
    assertTrue(nic.hostListings() <= 4, "the host's addresses listed per batch, not per claim: " + nic.hostListings());
  }

  @Test
  void failedAddIsReportedAndNothingIsHeld() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    nic.failAdds("RTNETLINK answers: Operation not permitted");
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    TestProbe<InterfaceActor.ClaimResult> reply = kit.createTestProbe();
    iface.tell(new InterfaceActor.Claim(WEB, 1, null, reply.getRef()));
    InterfaceActor.ClaimResult result = reply.receiveMessage();
    assertFalse(result.claimed());
    assertTrue(result.error().contains("Operation not permitted"), result.error());
    TestProbe<InterfaceActor.Holdings> holdings = kit.createTestProbe();
    iface.tell(new InterfaceActor.QueryHoldings(holdings.getRef()));
    assertTrue(holdings.receiveMessage().held().isEmpty(), "a failed claim must not pretend to hold");
    assertEquals(0, nic.framesSent());
  }

  @Test
  void refusesAnOrderWithAnOlderEpoch() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    assertTrue(claim(iface, 5).claimed());
    InterfaceActor.ClaimResult stale = claim(iface, 4);
    assertFalse(stale.claimed());
    assertTrue(stale.error().contains("older than epoch 5"), stale.error());
  }

  @Test
  void refusesAClaimBelowAPromisedEpochAndReleasesWhenANewerIsPromised() {
    // Its own group: every ledger in this one-node cluster grants leases, so a promise would reach the other tests.
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    assertTrue(claim(iface, DB, 3).claimed());
    TestProbe<EpochLedger.PromiseResult> promised = kit.createTestProbe();
    ledgerOf(iface).tell(new EpochLedger.Promise("fenced", 4, promised.getRef()));
    assertTrue(promised.receiveMessage().promised());
    promised.awaitAssert(() -> { assertFalse(nic.has("198.18.0.60"), "a holder of epoch 3 releases once 4 is promised"); return null; });
    InterfaceActor.ClaimResult stale = claim(iface, DB, 3);
    assertFalse(stale.claimed());
    assertTrue(stale.error().contains("older than epoch 4"), stale.error());
    assertTrue(claim(iface, DB, 4).claimed(), "the promised epoch itself may claim");
  }

  @Test
  void removesLeftoverVipsAtStart() {
    List<String> log = FakeNic.newLog();
    FakeNic nic = new FakeNic("n1", log);
    nic.preload(VIP);
    nic.preload(VipAddress.parse("198.18.0.11/24"));
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    TestProbe<InterfaceActor.Holdings> holdings = kit.createTestProbe();
    iface.tell(new InterfaceActor.QueryHoldings(holdings.getRef()));
    holdings.receiveMessage();
    assertFalse(nic.has("198.18.0.50"), "the leftover VIP is removed");
    assertTrue(nic.has("198.18.0.11"), "the node's own address is left alone");
    assertEquals(List.of("n1 remove 198.18.0.50"), log);
  }

  @Test
  void retireReleasesEverythingAndRefusesNewClaims() {
    FakeNic nic = new FakeNic("n1", FakeNic.newLog());
    ActorRef<InterfaceActor.Command> iface = spawn(nic);
    assertTrue(claim(iface, 1).claimed());
    TestProbe<Done> done = kit.createTestProbe();
    iface.tell(new InterfaceActor.Retire("shutdown", done.getRef()));
    done.receiveMessage();
    assertFalse(nic.has("198.18.0.50"));
    assertFalse(claim(iface, 2).claimed());
    assertFalse(nic.has("198.18.0.50"));
  }
}
