package io.vipkeeper.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One virtual address with the prefix length it is added with, e.g. {@code 198.18.0.50/24}. Kept
 * as text so it crosses nodes as plain data; {@link #parse} is the only way in and validates.
 */
public record VipAddress(String ip, int prefixLength) {

  private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  public VipAddress {
    InetAddress parsed = literal(ip);
    int max = parsed instanceof Inet4Address ? 32 : 128;
    if (prefixLength < 1 || prefixLength > max) {
      throw new IllegalArgumentException(
          "prefix length /" + prefixLength + " of " + ip + " must be between 1 and " + max);
    }
    ip = parsed.getHostAddress();
  }

  /** Parses {@code address/prefix}; the prefix is required so the VIP lands in the right subnet. */
  public static VipAddress parse(String cidr) {
    String text = cidr == null ? "" : cidr.trim();
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a CIDR address: write it as address/prefix, e.g. 198.18.0.50/24");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + text + "' has no numeric prefix length after '/', e.g. 198.18.0.50/24");
    }
    return new VipAddress(text.substring(0, slash), prefix);
  }

  /**
   * Why this address cannot be a VIP, or empty: addresses that are not one host's (unspecified,
   * loopback, link-local, multicast, class E, broadcast, a subnet's network or broadcast address)
   * and prefixes so short that adding the address routes a huge range to the interface (below /8
   * for IPv4, /32 for IPv6). The kernel's own listing may hold such addresses; only VIPs are checked.
   */
  public java.util.Optional<String> problemAsVip() {
    InetAddress a = inet();
    byte[] b = a.getAddress();
    boolean v4 = b.length == 4;
    String why = a.isAnyLocalAddress() ? "the unspecified address"
        : a.isLoopbackAddress() ? "a loopback address"
        : a.isLinkLocalAddress() ? "a link-local address"
        : a.isMulticastAddress() ? "a multicast address"
        : v4 && (b[0] & 0xf0) == 0xf0 ? "a reserved (class E) or the broadcast address"
        : v4 && prefixLength < 8 || !v4 && prefixLength < 32 ? "a prefix shorter than /" + (v4 ? 8 : 32) + " (it would route that whole range here)"
        : prefixLength <= b.length * 8 - 2 && hostBits(b, false) ? "the network address of " + ip + "/" + prefixLength
        : v4 && prefixLength <= 30 && hostBits(b, true) ? "the broadcast address of " + ip + "/" + prefixLength
        : null;
    return java.util.Optional.ofNullable(why).map(w -> cidr() + " cannot be a VIP: it is " + w);
  }

  /** Whether every host bit (past the prefix) is {@code set}. */
  private boolean hostBits(byte[] b, boolean set) {
    for (int bit = prefixLength; bit < b.length * 8; bit++) {
      boolean one = (b[bit / 8] & (0x80 >>> (bit % 8))) != 0;
      if (one != set) return false;
    }
    return true;
  }

  public InetAddress inet() {
    return literal(ip);
  }

  public boolean isIpv6() {
    return inet() instanceof Inet6Address;
  }

  public String cidr() {
    return ip + "/" + prefixLength;
  }

  /** True when {@code other} lies in this address's subnet (same family, same network bits). */
  public boolean sameSubnet(InetAddress other) {
    byte[] a = inet().getAddress();
    byte[] b = other.getAddress();
    if (a.length != b.length) return false;
    for (int bit = 0; bit < prefixLength; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) return false;
    }
    return true;
  }

  @Override
  public String toString() {
    return cidr();
  }

  private static InetAddress literal(String ip) {
    String text = ip == null ? "" : ip.trim();
    // Only literals: InetAddress.getByName would otherwise do a DNS lookup for a host name.
    if (!V4.matcher(text).matches() && !V6.matcher(text).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
    }
  }
}
