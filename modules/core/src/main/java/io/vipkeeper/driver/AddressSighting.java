package io.vipkeeper.driver;

/**
 * A frame on the wire that says "{@code ip} is at {@code mac}": an ARP reply, a gratuitous ARP or
 * an IPv6 neighbour advertisement ({@code kind}), with the MAC it claims for the address; or an ARP
 * request (kind "arp-request") from {@code ip} at {@code mac} asking for {@code asked}, which tells
 * who talks to whom.
 */
public record AddressSighting(String ip, String mac, String kind, String asked) {

  public AddressSighting(String ip, String mac, String kind) {
    this(ip, mac, kind, "");
  }

  public boolean isRequest() {
    return kind.equals("arp-request");
  }
}
