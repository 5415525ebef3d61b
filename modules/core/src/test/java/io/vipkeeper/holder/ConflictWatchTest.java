package io.vipkeeper.holder;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.OwnershipChanged;
import io.vipkeeper.driver.AddressSighting;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ConflictWatchTest {

  private static final ActorTestKit kit = ActorTestKit.create();
  private static final String OWN = "02:18:00:00:00:0b";
  private static final String ROGUE = "02:18:00:00:01:65";
  private static final VipGroup WEB = new VipGroup("web", List.of(VipAddress.parse("198.18.0.50/24")));
  private static final VipGroup VMAC = new VipGroup("db", List.of(VipAddress.parse("198.18.0.60/24")), "00:00:5e:00:01:32");

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private final TestProbe<String> reannounce = kit.createTestProbe();

  private ActorRef<ConflictWatch.Command> watch(Duration interval) {
    return kit.spawn(ConflictWatch.create(List.of(WEB, VMAC), OWN, interval, reannounce.getRef()));
  }

  private ConflictWatch.Conflicts conflicts(ActorRef<ConflictWatch.Command> watch) {
    TestProbe<ConflictWatch.Conflicts> probe = kit.createTestProbe();
    watch.tell(new ConflictWatch.GetConflicts(probe.getRef()));
    return probe.receiveMessage();
  }

  @Test
  void aHolderThatSeesAnotherMacAnswerCountsItAndAnnouncesAgainAtMostOncePerInterval() {
    ActorRef<ConflictWatch.Command> watch = watch(Duration.ofSeconds(10));
    watch.tell(new ConflictWatch.Owned(new OwnershipChanged("web", true, 3, "claimed")));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", OWN, "gratuitous-arp")));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", ROGUE, "gratuitous-arp")));
    assertEquals("web", reannounce.receiveMessage());
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", ROGUE, "arp-reply")));
    ConflictWatch.Conflicts c = conflicts(watch);
    assertEquals(2, c.total(), "both foreign frames counted, our own not: " + c);
    assertEquals(ROGUE, c.recent().get(0).otherMac());
    assertTrue(c.recent().get(0).held());
    reannounce.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aGroupAddedAtRunTimeIsWatchedFromWhenItIsListed() {
    ActorRef<ConflictWatch.Command> watch = kit.spawn(ConflictWatch.create(List.of(WEB), OWN, Duration.ofSeconds(1), reannounce.getRef()));
    VipGroup api = new VipGroup("api", List.of(VipAddress.parse("198.18.0.70/24")));
    watch.tell(new ConflictWatch.Owned(new OwnershipChanged("api", true, 1, "claimed")));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.70", ROGUE, "gratuitous-arp")));
    assertEquals(0, conflicts(watch).total(), "not watched before it is listed");
    watch.tell(new ConflictWatch.Groups(List.of(WEB, api)));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.70", ROGUE, "gratuitous-arp")));
    assertEquals("api", reannounce.receiveMessage());
    assertEquals(1, conflicts(watch).total());
  }

  @Test
  void theGroupsVirtualMacIsNotAConflict() {
    ActorRef<ConflictWatch.Command> watch = watch(Duration.ofSeconds(1));
    watch.tell(new ConflictWatch.Owned(new OwnershipChanged("db", true, 1, "claimed")));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.60", "00:00:5E:00:01:32", "gratuitous-arp")));
    assertEquals(0, conflicts(watch).total());
    reannounce.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aNodeThatDoesNotHoldReportsTwoMacsTakingTurnsButNotOneMovingAfterATakeover() {
    ActorRef<ConflictWatch.Command> watch = watch(Duration.ofSeconds(1));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", "02:18:00:00:00:0c", "gratuitous-arp")));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", "02:18:00:00:00:0c", "arp-reply")));
    assertEquals(0, conflicts(watch).total(), "one MAC answering is a holder");
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", ROGUE, "arp-reply")));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", ROGUE, "gratuitous-arp")));
    assertEquals(0, conflicts(watch).total(), "another MAC taking over is a move, not a conflict");
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", "02:18:00:00:00:0c", "arp-reply")));
    ConflictWatch.Conflicts c = conflicts(watch);
    assertEquals(1, c.total(), "the earlier MAC answering again: two hosts answer");
    assertFalse(c.recent().get(0).held());
    assertEquals(ROGUE, c.recent().get(0).otherMac());
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.99", ROGUE, "arp-reply")));
    assertEquals(1, conflicts(watch).total(), "addresses that are not VIPs are none of our business");
  }

  @Test
  void afterAReleaseAnotherMacIsTheNewHolderNotAConflict() {
    ActorRef<ConflictWatch.Command> watch = watch(Duration.ofSeconds(1));
    watch.tell(new ConflictWatch.Owned(new OwnershipChanged("web", true, 3, "claimed")));
    watch.tell(new ConflictWatch.Owned(new OwnershipChanged("web", false, 3, "moving")));
    watch.tell(new ConflictWatch.Seen(new AddressSighting("198.18.0.50", "02:18:00:00:00:0c", "gratuitous-arp")));
    assertEquals(0, conflicts(watch).total());
    reannounce.expectNoMessage(Duration.ofMillis(100));
  }
}
