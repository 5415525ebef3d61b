package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import java.util.Map;

/** The kernel fence with gratuitous ARP (the default method), an IPv4 and an IPv6 VIP in one group. */
class KernelFenceGarpTest extends KernelFenceScenarios {

  @Override
  Map<String, String> mode() {
    return Map.of();
  }

  @Override
  String name() {
    return "vkfg";
  }
}
