package io.vipkeeper.kernel;

import io.vipkeeper.driver.DriverException;
import io.vipkeeper.model.VipAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The fence as nftables commands (text only, so it is tested without a kernel). One netdev table
 * per interface: its egress hook drops every frame sent from a guarded address that is not leased
 * (the kernel's ARP replies and Neighbor Advertisements, pcap's announcements, the service's
 * replies; a macvlan's frames leave through its parent) and every frame sent from a guarded
 * virtual MAC that is not leased (whatever a vmac link sends: MLD reports, solicitations), its
 * ingress hook drops traffic to an unleased address. Leases are set elements with a timeout, so
 * they end in the kernel without the JVM. A ticket in a set no rule reads bounds how stale a
 * lease's timeout can be (see {@link NftablesFence}). What is guarded is named by its text: an
 * IPv4 or IPv6 address as {@link VipAddress#ip()} gives it, or a MAC in lower case.
 */
final class NftFenceRules {

  /** The three kinds of guarded things, each with its guarded set and its leased set. */
  enum Kind {
    V4("vips4", "leased4"), V6("vips6", "leased6"), MAC("vmacs", "leasedmacs");

    final String guarded;
    final String leased;

    Kind(String guarded, String leased) {
      this.guarded = guarded;
      this.leased = leased;
    }

    static Kind of(String key) {
      return MAC_TEXT.matcher(key).matches() ? MAC : key.contains(":") ? V6 : V4;
    }
  }

  private static final Pattern MAC_TEXT = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
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
        "  set vmacs { type ether_addr; }",
        "  set leasedmacs { type ether_addr; flags timeout; }",
        "  set ticket { type ipv4_addr; flags timeout; }",
        "  chain egress {",
        "    type filter hook egress device \"" + device + "\" priority -500;",
        "    ether saddr @vmacs ether saddr != @leasedmacs counter drop",
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
    return rules + guarded("add", List.copyOf(stillGuarded));
  }

  String remove() {
    return "add table " + table + "\ndelete table " + table + "\n";
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
  String guard(Map<String, Long> timeoutMillis) {
    return guarded("add", List.copyOf(timeoutMillis.keySet())) + lease(timeoutMillis);
  }

  /**
   * New lease ends: adding an element that exists keeps its old timeout, so each is added (a
   * no-op if present), deleted and added again with its timeout, all in one transaction.
   */
  String lease(Map<String, Long> timeoutMillis) {
    StringBuilder out = new StringBuilder();
    for (Kind kind : Kind.values()) {
      Map<String, Long> own = new LinkedHashMap<>();
      timeoutMillis.forEach((key, ms) -> {
        if (Kind.of(key) == kind) own.put(key, ms);
      });
      if (own.isEmpty()) continue;
      out.append(elements("add", kind.leased, own.keySet().stream().map(key -> key + " timeout 1s").toList()));
      out.append(elements("delete", kind.leased, List.copyOf(own.keySet())));
      List<String> live = own.entrySet().stream().filter(e -> e.getValue() > 0).map(e -> e.getKey() + " timeout " + e.getValue() + "ms").toList();
      out.append(elements("add", kind.leased, live));
    }
    return out.toString();
  }

  /** Forget these: out of the leased and the guarded sets (absent ones are fine). */
  String unguard(List<String> keys) {
    Map<String, Long> none = new LinkedHashMap<>();
    keys.forEach(key -> none.put(key, 0L));
    return lease(none) + guarded("add", keys) + guarded("delete", keys);
  }

  /** {@code verb} on each kind's guarded set, with the keys of that kind. */
  private String guarded(String verb, List<String> keys) {
    StringBuilder out = new StringBuilder();
    for (Kind kind : Kind.values()) out.append(elements(verb, kind.guarded, keys.stream().filter(k -> Kind.of(k) == kind).distinct().toList()));
    return out.toString();
  }

  private String elements(String verb, String set, List<String> elements) {
    if (elements.isEmpty()) return "";
    return verb + " element " + table + " " + set + " { " + String.join(", ", elements) + " }\n";
  }
}
