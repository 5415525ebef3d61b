package io.vipkeeper.actor;

import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.model.VipAddress;
import java.util.List;
import org.slf4j.Logger;

/** Drivers plus the interface name: the calls the interface actor makes, errors already worded. */
record NicWork(String iface, Drivers drivers, Logger log) {
  /** Whether the interface is up with a carrier; an unreadable link counts as down. */
  boolean linkUp() {
    try {
      return drivers.driver().link(iface).up();
    } catch (DriverException e) {
      log.warn("cannot read the state of {}: {}", iface, e.getMessage());
      return false;
    }
  }

  void add(List<VipAddress> addresses) {
    drivers.driver().add(iface, addresses);
  }

  void remove(List<VipAddress> addresses) {
    drivers.driver().remove(iface, addresses);
  }

  void announce(List<VipAddress> addresses) {
    try {
      drivers.announcer().announce(addresses);
    } catch (DriverException e) {
      log.warn("announcement of {} failed (the address stays claimed): {}", addresses, e.getMessage());
    }
  }

  void reconcile(List<VipAddress> configured) {
    List<VipAddress> present = drivers.driver().addresses(iface);
    List<VipAddress> leftovers = configured.stream().filter(vip -> present.stream().anyMatch(p -> p.ip().equals(vip.ip()))).toList();
    if (leftovers.isEmpty()) return;
    log.warn("removing leftover VIPs {} from {}: this node owns nothing at start", leftovers, iface);
    drivers.driver().remove(iface, leftovers);
  }
}
