package io.vipkeeper.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.vipkeeper.pcap.GratuitousArp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import java.util.List;

class VipKeeperSettingsTest {

  private static VipKeeperSettings load(String hocon) {
    return VipKeeperSettings.create(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void readsGroupsAndDefaults() {
    VipKeeperSettings s = load("vipkeeper.groups.web.addresses = [\"198.18.0.50/24\", \"198.18.0.51/24\"]");
    assertEquals("eth0", s.interfaceName());
    assertEquals(1, s.groups().size());
    assertEquals("web", s.groups().get(0).name());
    assertEquals(2, s.allAddresses().size());
    assertEquals(4, s.announce().count());
    assertEquals(Duration.ofMillis(400), s.announce().interval());
    assertEquals(List.of(GratuitousArp.Form.REQUEST, GratuitousArp.Form.REPLY), s.announce().forms());
  }

  @Test
  void listsEveryProblemWithTheSettingToFix() {
    SettingsException e = assertThrows(SettingsException.class, () -> load("""
        vipkeeper.interface = ""
        vipkeeper.groups.web.addresses = ["198.18.0.50"]
        vipkeeper.groups.db.addresses = ["198.18.0.51/24", "198.18.0.51/24"]
        vipkeeper.announce.count = 0
        vipkeeper.announce.forms = [shout]
        vipkeeper.survey-timeout = 0s
        """));
    String all = e.getMessage();
    assertEquals(6, e.problems().size(), all);
    assertTrue(all.contains("vipkeeper.interface: must not be empty"), all);
    assertTrue(all.contains("vipkeeper.groups.web: '198.18.0.50' is not a CIDR address"), all);
    assertTrue(all.contains("lists 198.18.0.51 more than once"), all);
    assertTrue(all.contains("vipkeeper.announce.count: must be at least 1"), all);
    assertTrue(all.contains("'shout' is not a form; allowed: request, reply"), all);
    assertTrue(all.contains("vipkeeper.survey-timeout: must be greater than 0"), all);
  }

  @Test
  void vmacGroupsGetTheirMacAndBadModesAreNamed() {
    VipKeeperSettings s = load("""
        vipkeeper.groups.db { addresses = ["198.18.0.51/24"], mode = vmac, virtual-router-id = 51 }
        vipkeeper.groups.web { addresses = ["198.18.0.50/24"] }
        """);
    assertEquals("00:00:5e:00:01:33", s.groups().get(0).mac());
    assertFalse(s.groups().get(1).virtualMac(), "garp is the default");
    SettingsException e = assertThrows(SettingsException.class, () -> load("""
        vipkeeper.groups.a { addresses = ["198.18.0.52/24"], mode = vrrp }
        vipkeeper.groups.b { addresses = ["198.18.0.53/24"], mode = vmac, mac = "01:00:5e:00:00:01" }
        """));
    assertTrue(e.getMessage().contains("vipkeeper.groups.a: mode 'vrrp' is not a mode; allowed: garp (default), vmac"), e.getMessage());
    assertTrue(e.getMessage().contains("vipkeeper.groups.b: 01:00:5e:00:00:01 is a multicast MAC"), e.getMessage());
  }

  @Test
  void acceptsIpv6AndMixedGroups() {
    VipKeeperSettings s = load("vipkeeper.groups.dual.addresses = [\"198.18.0.50/24\", \"2001:db8:18::50/64\"]");
    assertTrue(s.groups().get(0).addresses().get(1).isIpv6());
  }

  @Test
  void timingProfilesAreChosenByNameAndChecked() {
    assertEquals(Duration.ofMillis(500), load("").lease().duration(), "default profile");
    LeaseSettings fast = load("vipkeeper.timing-profile = fast").lease();
    assertEquals(Duration.ofMillis(50), fast.renewInterval());
    assertEquals(Duration.ofMillis(200), fast.suspectAfter());
    SettingsException unknown = assertThrows(SettingsException.class, () -> load("vipkeeper.timing-profile = quick"));
    assertTrue(unknown.getMessage().contains("vipkeeper.timing-profile: 'quick' is not a profile; defined: [conservative, default, fast]"),
        unknown.getMessage());
    SettingsException tight = assertThrows(SettingsException.class, () -> load("""
        vipkeeper.timing-profiles.default { renew-interval = 300ms, lease-duration = 500ms, suspect-after = 400ms }
        """));
    assertTrue(tight.getMessage().contains("renew-interval (300 ms) must be at most half of lease-duration (500 ms)"), tight.getMessage());
    assertTrue(tight.getMessage().contains("suspect-after (400 ms) must be at least two renew-intervals (600 ms)"), tight.getMessage());
  }
}
