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
}
