package io.vipkeeper.kernel;

import io.vipkeeper.driver.DriverException;
import io.vipkeeper.model.VipAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The fence as nftables commands (text only, so it is tested without a kernel). One netdev table
 * per interface: its egress hook drops every frame sent from a guarded address that is not leased
 * (the kernel's ARP replies and Neighbor Advertisements, pcap's announcements, the service's
 * replies; a macvlan's frames leave through its parent), its ingress hook drops traffic to one.
 * Leases are set elements with a timeout, so they end in the kernel without the JVM. A ticket in a
 * set no rule reads bounds how stale a lease's timeout can be (see {@link NftablesFence}).
 */
final class NftFenceRules {

  private static final String TICKET = "0.0.0.0";
  private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_.@:-]{1,15}");
  private final String table;
  private final String device;

  NftFenceRules(String device) {
    if (!DEVICE.matcher(device).matches()) throw new DriverException("interface name '" + device + "' cannot be fenced: not a Linux interface name");
    this.device = device;
    this.table = "netdev vipkeeper_" + device.replaceAll("[^A-Za-z0-9_]", "_");
  }

  String table() {
    return table;
  }

  /** A fresh table (an old one replaced in the same transaction), guarding {@code stillGuarded} unleased. */
  String install(Collection<String> stillGuarded) {
    String rules = String.join("\n",
        "add table " + table,
        "delete table " + table,
        "table " + table + " {",
        "  set vips4 { type ipv4_addr; }",
        "  set leased4 { type ipv4_addr; flags timeout; }",
        "  set vips6 { type ipv6_addr; }",
        "  set leased6 { type ipv6_addr; flags timeout; }",
        "  set ticket { type ipv4_addr; flags timeout; }",
        "  chain egress {",
        "    type filter hook egress device \"" + device + "\" priority -500;",
        "    arp saddr ip @vips4 arp saddr ip != @leased4 counter drop",
        "    ip saddr @vips4 ip saddr != @leased4 counter drop",
        "    ip6 saddr @vips6 ip6 saddr != @leased6 counter drop",
        "  }",
        "  chain ingress {",
        "    type filter hook ingress device \"" + device + "\" priority -500;",
        "    ip daddr @vips4 ip daddr != @leased4 counter drop",
        "    ip6 daddr @vips6 ip6 daddr != @leased6 counter drop",
        "  }",
        "}") + "\n";
    List<String> ips = List.copyOf(stillGuarded);
    return rules + elements("add", "vips4", v4(ips)) + elements("add", "vips6", v6(ips));
  }

  String remove() {
    return "add table " + table + "\ndelete table " + table + "\n";
  }

  String listGuarded() {
    return "list set " + table + " vips4\nlist set " + table + " vips6\n";
  }

  /** A fresh ticket that lives {@code millis} (an old one replaced, as in {@link #lease}). */
  String ticket(long millis) {
    return elements("add", "ticket", List.of(TICKET + " timeout 1s")) + elements("delete", "ticket", List.of(TICKET))
        + elements("add", "ticket", List.of(TICKET + " timeout " + millis + "ms"));
  }

  /** Spends the ticket: the transaction that starts with this fails whole if the ticket ran out. */
  String spendTicket() {
    return elements("delete", "ticket", List.of(TICKET));
  }

  /** Guard and lease in one transaction. */
  String guard(Map<VipAddress, Long> timeoutMillis) {
    List<String> ips = timeoutMillis.keySet().stream().map(VipAddress::ip).toList();
    return elements("add", "vips4", v4(ips)) + elements("add", "vips6", v6(ips)) + lease(timeoutMillis);
  }

  /**
   * New lease ends: adding an element that exists keeps its old timeout, so each is added (a
   * no-op if present), deleted and added again with its timeout, all in one transaction.
   */
  String lease(Map<VipAddress, Long> timeoutMillis) {
    StringBuilder out = new StringBuilder();
    for (String set : List.of("leased4", "leased6")) {
      Map<String, Long> own = timeoutMillis.entrySet().stream().filter(e -> set.endsWith("6") == e.getKey().ip().contains(":"))
          .collect(Collectors.toMap(e -> e.getKey().ip(), Map.Entry::getValue));
      if (own.isEmpty()) continue;
      out.append(elements("add", set, own.keySet().stream().map(ip -> ip + " timeout 1s").toList()));
      out.append(elements("delete", set, List.copyOf(own.keySet())));
      List<String> live = own.entrySet().stream().filter(e -> e.getValue() > 0).map(e -> e.getKey() + " timeout " + e.getValue() + "ms").toList();
      out.append(elements("add", set, live));
    }
    return out.toString();
  }

  /** Forget addresses: out of the leased and the guarded sets (absent ones are fine). */
  String unguard(List<VipAddress> addresses) {
    Map<VipAddress, Long> none = addresses.stream().collect(Collectors.toMap(a -> a, a -> 0L, (a, b) -> a));
    List<String> ips = addresses.stream().map(VipAddress::ip).toList();
    return lease(none) + elements("add", "vips4", v4(ips)) + elements("delete", "vips4", v4(ips))
        + elements("add", "vips6", v6(ips)) + elements("delete", "vips6", v6(ips));
  }

  private String elements(String verb, String set, List<String> elements) {
    if (elements.isEmpty()) return "";
    return verb + " element " + table + " " + set + " { " + String.join(", ", elements) + " }\n";
  }

  private static List<String> v4(List<String> ips) {
    return ips.stream().filter(ip -> !ip.contains(":")).distinct().toList();
  }

  private static List<String> v6(List<String> ips) {
    return ips.stream().filter(ip -> ip.contains(":")).distinct().collect(Collectors.toCollection(ArrayList::new));
  }
}
