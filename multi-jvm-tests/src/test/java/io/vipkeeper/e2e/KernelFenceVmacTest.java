package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import java.util.Map;

/** The kernel fence with a virtual MAC: both holders would answer with the same MAC, so the asker counts answers per request. */
class KernelFenceVmacTest extends KernelFenceScenarios {

  @Override
  Map<String, String> mode() {
    return Map.of("VIPKEEPER_MODE", "vmac", "VIPKEEPER_VRID", "51");
  }

  @Override
  String virtualMac() {
    return "00:00:5e:00:01:33";
  }

  @Override
  String name() {
    return "vkfv";
  }
}
