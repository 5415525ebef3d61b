package io.vipkeeper.pcap;

import io.vipkeeper.driver.AddressSighting;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads "address X is at MAC Y" out of a raw Ethernet frame: ARP replies and announcements (sender
 * IP = target IP) by their sender fields, IPv6 neighbour advertisements by their target address
 * and target link-layer option (or the frame's source MAC). Other ARP requests are read as "sender
 * asks for target" (kind arp-request): who talks to a VIP.
 */
public final class FrameSighting {

  private FrameSighting() {}

  public static Optional<AddressSighting> parse(byte[] f) {
    if (f == null || f.length < 14) return Optional.empty();
    int type = u16(f, 12);
    if (type == 0x0806) return arp(f);
    if (type == 0x86dd) return neighbourAdvertisement(f);
    return Optional.empty();
  }

  private static Optional<AddressSighting> arp(byte[] f) {
    if (f.length < 42 || u16(f, 14) != 1 || u16(f, 16) != 0x0800 || f[18] != 6 || f[19] != 4) return Optional.empty();
    int op = u16(f, 20);
    String mac = mac(f, 22);
    String sender = ip(f, 28, 4);
    String target = ip(f, 38, 4);
    if (op == 2) return Optional.of(new AddressSighting(sender, mac, sender.equals(target) ? "gratuitous-arp" : "arp-reply"));
    if (op == 1 && sender.equals(target)) return Optional.of(new AddressSighting(sender, mac, "gratuitous-arp"));
    if (op == 1 && !sender.equals("0.0.0.0")) return Optional.of(new AddressSighting(sender, mac, "arp-request", target));
    return Optional.empty();
  }

  private static Optional<AddressSighting> neighbourAdvertisement(byte[] f) {
    // Ethernet 14 + IPv6 40 + ICMPv6 NA 24 (type, code, checksum, flags, target) = 78.
    if (f.length < 78 || (f[14] & 0xf0) != 0x60 || (f[20] & 0xff) != 58 || (f[54] & 0xff) != 136) return Optional.empty();
    String target = ip(f, 62, 16);
    String mac = mac(f, 6);
    for (int o = 78; o + 8 <= f.length; ) {
      int kind = f[o] & 0xff;
      int length = (f[o + 1] & 0xff) * 8;
      if (length == 0) break;
      if (kind == 2 && length >= 8) mac = mac(f, o + 2);
      o += length;
    }
    return Optional.of(new AddressSighting(target, mac, "neighbor-advertisement"));
  }

  private static int u16(byte[] f, int at) {
    return ((f[at] & 0xff) << 8) | (f[at + 1] & 0xff);
  }

  private static String mac(byte[] f, int at) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 6; i++) b.append(i == 0 ? "" : ":").append(String.format("%02x", f[at + i] & 0xff));
    return b.toString();
  }

  private static String ip(byte[] f, int at, int length) {
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(f, at, at + length)).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
    }
  }
}
