package io.vipkeeper.holder;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.vipkeeper.config.AnnounceSettings;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.testing.TestConfigs;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** keepalived's order of announcements, and what a node's fitness says. */
class AnnouncementScheduleTest {

  private final AnnounceSettings announce = VipKeeperSettings.create(ConfigFactory.parseString("""
      vipkeeper.announce.count = 3
      vipkeeper.announce.interval = 400ms
      vipkeeper.announce.second-burst-delay = 5s
      """).withFallback(TestConfigs.clusterNode(""))).announce();

  @Test
  void aBurstThenASecondBurstThenNothing() {
    assertEquals(Optional.of(new AnnouncementSchedule.Round(1, 1, Duration.ofMillis(400))), AnnouncementSchedule.after(0, 1, announce));
    assertEquals(Optional.of(new AnnouncementSchedule.Round(2, 1, Duration.ofMillis(400))), AnnouncementSchedule.after(1, 1, announce));
    assertEquals(Optional.of(new AnnouncementSchedule.Round(0, 2, Duration.ofSeconds(5))), AnnouncementSchedule.after(2, 1, announce));
    assertEquals(Optional.of(new AnnouncementSchedule.Round(1, 2, Duration.ofMillis(400))), AnnouncementSchedule.after(0, 2, announce));
    assertEquals(Optional.empty(), AnnouncementSchedule.after(2, 2, announce), "no third burst");
    assertEquals(Optional.empty(), AnnouncementSchedule.after(AnnouncementSchedule.REFRESH, 0, announce), "a refresh is a lone round");
  }

  @Test
  void anUnfitNodeSaysWhy() {
    assertTrue(Fitness.FIT.fit());
    assertEquals("", Fitness.FIT.why("eth0"));
    assertEquals("eth0 is down", Fitness.FIT.withLinkDown(true).why("eth0"));
    assertEquals("check failed", Fitness.FIT.withCheck("check failed").why("eth0"));
    Fitness all = Fitness.FIT.withQuorum("reaches 1 of 3 members").withLinkDown(true);
    assertFalse(all.fit());
    assertTrue(all.why("eth0").startsWith("this node's side would not survive a split"), "the quorum is named first");
    assertTrue(all.withQuorum("").withLinkDown(false).fit());
  }
}
