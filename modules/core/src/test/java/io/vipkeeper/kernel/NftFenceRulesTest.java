package io.vipkeeper.kernel;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.driver.DriverException;
import io.vipkeeper.model.VipAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fence's nftables text, without a kernel (the lab test runs it on one). */
class NftFenceRulesTest {

  private final NftFenceRules rules = new NftFenceRules("eth0");
  private final VipAddress v4 = VipAddress.parse("198.18.0.50/24");
  private final VipAddress v6 = VipAddress.parse("2001:db8:18::50/64");

  @Test
  void aRenewalReplacesEachElementSoItsTimeoutIsRefreshed() {
    Map<String, Long> timeouts = new LinkedHashMap<>();
    timeouts.put(v4.ip(), 480L);
    timeouts.put(v6.ip(), 0L);
    assertEquals("""
        add element netdev vipkeeper_eth0 leased4 { 198.18.0.50 timeout 1s }
        delete element netdev vipkeeper_eth0 leased4 { 198.18.0.50 }
        add element netdev vipkeeper_eth0 leased4 { 198.18.0.50 timeout 480ms }
        add element netdev vipkeeper_eth0 leased6 { 2001:db8:18:0:0:0:0:50 timeout 1s }
        delete element netdev vipkeeper_eth0 leased6 { 2001:db8:18:0:0:0:0:50 }
        """, rules.lease(timeouts), "a lease with no time left is deleted, not added");
  }

  @Test
  void guardingPutsTheAddressInTheGuardedSetAndLeasesItInOneTransaction() {
    String text = rules.guard(Map.of(v4.ip(), 300L));
    assertTrue(text.startsWith("add element netdev vipkeeper_eth0 vips4 { 198.18.0.50 }\n"), text);
    assertTrue(text.endsWith("add element netdev vipkeeper_eth0 leased4 { 198.18.0.50 timeout 300ms }\n"), text);
  }

  @Test
  void theTableDropsUnleasedVipsBothWaysAndKeepsEarlierGuards() {
    String text = rules.install(List.of("198.18.0.51"));
    assertTrue(text.contains("hook egress device \"eth0\""), text);
    assertTrue(text.contains("arp saddr ip @vips4 arp saddr ip != @leased4 counter drop"), text);
    assertTrue(text.contains("ip6 saddr @vips6 ip6 saddr != @leased6 counter drop"), text);
    assertTrue(text.contains("ip daddr @vips4 ip daddr != @leased4 counter drop"), text);
    assertTrue(text.endsWith("add element netdev vipkeeper_eth0 vips4 { 198.18.0.51 }\n"), text);
  }

  @Test
  void aVirtualMacIsGuardedAndLeasedLikeAnAddressAndEveryFrameFromItUnleasedIsDropped() {
    String table = rules.install(List.of("00:00:5e:00:01:33"));
    assertTrue(table.contains("ether saddr @vmacs ether saddr != @leasedmacs counter drop"), table);
    assertTrue(table.endsWith("add element netdev vipkeeper_eth0 vmacs { 00:00:5e:00:01:33 }\n"), table);
    Map<String, Long> timeouts = new LinkedHashMap<>();
    timeouts.put(v4.ip(), 300L);
    timeouts.put("00:00:5e:00:01:33", 300L);
    String text = rules.guard(timeouts);
    assertTrue(text.contains("add element netdev vipkeeper_eth0 vips4 { 198.18.0.50 }\n"), text);
    assertTrue(text.contains("add element netdev vipkeeper_eth0 vmacs { 00:00:5e:00:01:33 }\n"), text);
    assertTrue(text.endsWith("add element netdev vipkeeper_eth0 leasedmacs { 00:00:5e:00:01:33 timeout 300ms }\n"), text);
    assertFalse(text.contains("leased6"), "a MAC is not an IPv6 address: " + text);
  }

  @Test
  void anInterfaceNameThatIsNotOneIsRefused() {
    DriverException e = assertThrows(DriverException.class, () -> new NftFenceRules("eth0\" ; flush ruleset"));
    assertTrue(e.getMessage().contains("not a Linux interface name"), e.getMessage());
  }
}
