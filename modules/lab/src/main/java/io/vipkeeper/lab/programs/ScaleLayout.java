package io.vipkeeper.lab.programs;

import java.util.ArrayList;
import java.util.List;

/** The scale lab's groups: 2 IPv4 and 8 IPv6 addresses each, as vipkeeper options and keepalived instances. */
final class ScaleLayout {

  record Group(String name, List<String> addresses) {}

  private ScaleLayout() {}

  /** 2 IPv4 (198.18.0.20-99 and .110-229) and 8 IPv6 (2001:db8:18::1:0 on) per group. */
  static List<Group> groups(int count) {
    if (count < 1 || count > 100) throw new IllegalArgumentException("GROUPS must be 1 to 100 (the lab's IPv4 range holds 100 groups)");
    List<Group> groups = new ArrayList<>();
    for (int g = 0; g < count; g++) {
      List<String> addresses = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        int n = g * 2 + k;
        addresses.add("198.18.0." + (n < 80 ? 20 + n : 110 + n - 80));
      }
      for (int k = 0; k < 8; k++) addresses.add("2001:db8:18::1:" + Integer.toHexString(g * 8 + k));
      groups.add(new Group(String.format("s%03d", g), addresses));
    }
    return groups;
  }

  static List<String> vipkeeperOptions(List<Group> groups) {
    List<String> options = new ArrayList<>();
    for (Group group : groups) {
      for (int k = 0; k < group.addresses().size(); k++) {
        String a = group.addresses().get(k);
        options.add("-Dvipkeeper.groups." + group.name() + ".addresses." + k + "=" + a + (a.contains(":") ? "/64" : "/24"));
      }
    }
    return options;
  }

  /** One VRRPv3 instance per group; group g prefers node g % 3 + 1. IPv6 VIPs ride along excluded from adverts. */
  static String keepalived(List<Group> groups, int node, String advert) {
    StringBuilder b = new StringBuilder();
    for (int g = 0; g < groups.size(); g++) {
      List<String> a = groups.get(g).addresses();
      b.append("vrrp_instance ").append(groups.get(g).name()).append(" {\n  state BACKUP\n  interface eth0\n  version 3\n")
          .append("  virtual_router_id ").append(g + 1).append("\n  priority ").append(g % 3 + 1 == node ? 150 : 100 + node)
          .append("\n  advert_int ").append(advert).append("\n  virtual_ipaddress {\n");
      for (String v4 : a.subList(0, 2)) b.append("    ").append(v4).append("/24 dev eth0\n");
      b.append("  }\n  virtual_ipaddress_excluded {\n");
      for (String v6 : a.subList(2, a.size())) b.append("    ").append(v6).append("/64 dev eth0\n");
      b.append("  }\n}\n");
    }
    return b.toString();
  }
}
