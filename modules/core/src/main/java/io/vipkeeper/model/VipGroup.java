package io.vipkeeper.model;

import java.util.List;

/** Addresses that always move together; one Cluster Singleton decides where a group lives. */
public record VipGroup(String name, List<VipAddress> addresses) {

  public VipGroup {
    if (name == null || !name.matches("[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}")) {
      throw new IllegalArgumentException(
          "group name '" + name + "' must be 1-63 letters, digits, '-' or '_'");
    }
    if (addresses == null || addresses.isEmpty()) {
      throw new IllegalArgumentException("group '" + name + "' has no addresses");
    }
    addresses = List.copyOf(addresses);
  }
}
