package io.vipkeeper.model;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class VirtualMacTest {

  @Test
  void defaultsToTheVrrpMacOfTheRouterId() {
    assertEquals("00:00:5e:00:01:32", VirtualMac.of(50, ""));
    assertEquals("00:00:5e:00:01:ff", VirtualMac.of(255, null));
    assertEquals("vk000132", VirtualMac.linkName("00:00:5e:00:01:32"));
  }

  @Test
  void acceptsLocallyAdministeredAndVrrpMacs() {
    assertEquals("02:18:00:00:00:50", VirtualMac.of(0, "02:18:00:00:00:50"));
    assertEquals("0a:00:00:00:00:01", VirtualMac.of(0, "0A-00-00-00-00-01"));
    assertEquals("00:00:5e:00:02:07", VirtualMac.of(0, "00:00:5e:00:02:07"));
  }

  @Test
  void refusesMulticastGlobalAndMalformedMacsSayingWhy() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> VirtualMac.of(0, "01:00:5e:00:00:01"))
        .getMessage().contains("multicast"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> VirtualMac.of(0, "00:1b:21:00:00:01"))
        .getMessage().contains("globally administered"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> VirtualMac.of(0, "02:18:00:00:50"))
        .getMessage().contains("is not a MAC address"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> VirtualMac.of(0, ""))
        .getMessage().contains("virtual-router-id = 1..255"));
    assertThrows(IllegalArgumentException.class, () -> VirtualMac.of(256, ""));
  }
}
