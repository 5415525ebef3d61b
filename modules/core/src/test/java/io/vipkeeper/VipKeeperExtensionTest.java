package io.vipkeeper;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.testing.FakeNic;
import io.vipkeeper.testing.TestConfigs;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One VipKeeper per ActorSystem, found again through the extension. */
class VipKeeperExtensionTest {

  private final ActorTestKit kit = ActorTestKit.create("vkx", TestConfigs.clusterNode("vipkeeper.node-name = x"));

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void getReturnsTheRunningOneAndASecondStartIsRefused() {
    ActorSystem<?> system = kit.system();
    FakeNic nic = new FakeNic("x", FakeNic.newLog());
    VipKeeper started = VipKeeper.start(system, VipKeeperSettings.create(system.settings().config()), nic.drivers());
    assertSame(started, VipKeeper.get(system), "get finds the one started with the fake drivers; it does not start another");
    IllegalStateException twice = assertThrows(IllegalStateException.class,
        () -> VipKeeper.start(system, VipKeeperSettings.create(system.settings().config()), nic.drivers()));
    assertTrue(twice.getMessage().contains("already runs") && twice.getMessage().contains("VipKeeper.get(system)"), twice.getMessage());
  }
}
