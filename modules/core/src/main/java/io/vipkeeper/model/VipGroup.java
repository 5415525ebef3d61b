package io.vipkeeper.model;

import java.util.List;

/**
 * Addresses that always move together; one Cluster Singleton decides where a group lives. In vmac
 * mode the group also moves its own MAC ({@code mac}); in garp mode {@code mac} is empty and the
 * holder answers with its interface's MAC. {@code placement} says which nodes it prefers.
 */
public record VipGroup(String name, List<VipAddress> addresses, String mac, PlacementPolicy placement) {

  /** A gratuitous-ARP-mode group, placed balanced. */
  public VipGroup(String name, List<VipAddress> addresses) {
    this(name, addresses, "");
  }

  public VipGroup(String name, List<VipAddress> addresses, String mac) {
    this(name, addresses, mac, PlacementPolicy.BALANCED);
  }

  /** Addresses in one group: a group moves as one, and its announcements must fit within a lease. */
  public static final int MAX_ADDRESSES = 256;

  public boolean virtualMac() {
    return !mac.isEmpty();
  }

  public VipGroup {
    if (name == null || !name.matches("[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}")) {
      throw new IllegalArgumentException(
          "group name '" + name + "' must be 1-63 letters, digits, '-' or '_'");
    }
    if (addresses == null || addresses.isEmpty()) {
      throw new IllegalArgumentException("group '" + name + "' has no addresses");
    }
    if (addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException("group '" + name + "' has " + addresses.size() + " addresses; at most " + MAX_ADDRESSES);
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (VipAddress a : addresses) {
      if (!seen.add(a.ip())) throw new IllegalArgumentException("group '" + name + "' lists " + a.ip() + " more than once");
      a.problemAsVip().ifPresent(p -> { throw new IllegalArgumentException(p); });
    }
    addresses = List.copyOf(addresses);
    mac = mac == null ? "" : mac;
    placement = placement == null ? PlacementPolicy.BALANCED : placement;
  }
}
