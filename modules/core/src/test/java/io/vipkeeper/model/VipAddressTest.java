package io.vipkeeper.model;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class VipAddressTest {

  @Test
  void parsesIpv4AndIpv6Cidr() {
    VipAddress v4 = VipAddress.parse(" 198.18.0.50/24 ");
    assertEquals("198.18.0.50", v4.ip());
    assertEquals(24, v4.prefixLength());
    assertFalse(v4.isIpv6());
    VipAddress v6 = VipAddress.parse("2001:db8:18::50/64");
    assertTrue(v6.isIpv6());
    assertEquals("2001:db8:18:0:0:0:0:50/64", v6.cidr());
  }

  @Test
  void rejectsWhatIsNotACidrAddressWithAMessageThatSaysHow() {
    IllegalArgumentException noPrefix = assertThrows(IllegalArgumentException.class, () -> VipAddress.parse("198.18.0.50"));
    assertTrue(noPrefix.getMessage().contains("address/prefix"), noPrefix.getMessage());
    assertThrows(IllegalArgumentException.class, () -> VipAddress.parse("198.18.0.50/33"));
    assertThrows(IllegalArgumentException.class, () -> VipAddress.parse("198.18.0.50/0"));
    assertThrows(IllegalArgumentException.class, () -> VipAddress.parse("198.18.0.500/24"));
    assertThrows(IllegalArgumentException.class, () -> VipAddress.parse("db.example/24"));
    assertThrows(IllegalArgumentException.class, () -> VipAddress.parse("198.18.0.50/x"));
  }

  @Test
  void knowsItsSubnet() throws Exception {
    VipAddress vip = VipAddress.parse("198.18.0.50/24");
    assertTrue(vip.sameSubnet(InetAddress.getByName("198.18.0.11")));
    assertFalse(vip.sameSubnet(InetAddress.getByName("198.18.1.11")));
    assertFalse(vip.sameSubnet(InetAddress.getByName("2001:db8::1")));
  }

  @Test
  void addressesThatAreNotOneHostsAreNoVips() {
    for (String bad : java.util.List.of("0.0.0.0/1", "127.0.0.5/8", "169.254.1.1/16", "224.0.0.18/24", "255.255.255.255/32",
        "240.0.0.1/24", "198.18.0.0/24", "198.18.0.255/24", "198.18.0.50/1", "198.18.0.50/7", "::/64", "::1/128",
        "fe80::1/64", "ff02::1/64", "2001:db8:18::50/16", "2001:db8:18::/64")) {
      assertTrue(VipAddress.parse(bad).problemAsVip().isPresent(), bad + " is refused as a VIP");
    }
    for (String good : java.util.List.of("198.18.0.50/24", "198.18.0.50/32", "198.18.0.0/31", "198.18.0.1/31", "198.18.0.50/8",
        "2001:db8:18::50/64", "2001:db8:18::50/128")) {
      assertEquals(java.util.Optional.empty(), VipAddress.parse(good).problemAsVip(), good);
    }
    assertTrue(VipAddress.parse("198.18.0.255/24").problemAsVip().get().contains("broadcast"));
  }

  @Test
  void aGroupListsEachAddressOnceAndOnlyUsableOnes() {
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> new VipGroup("g",
        java.util.List.of(VipAddress.parse("198.18.0.50/24"), VipAddress.parse("198.18.0.50/24"))));
    assertTrue(twice.getMessage().contains("more than once"), twice.getMessage());
    IllegalArgumentException loopback = assertThrows(IllegalArgumentException.class, () -> new VipGroup("g",
        java.util.List.of(VipAddress.parse("127.0.0.2/8"))));
    assertTrue(loopback.getMessage().contains("loopback"), loopback.getMessage());
  }
}
