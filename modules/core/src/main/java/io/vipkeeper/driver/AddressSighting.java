package io.vipkeeper.driver;

/**
 * A frame on the wire that says "{@code ip} is at {@code mac}": an ARP reply, a gratuitous ARP or
 * an IPv6 neighbour advertisement ({@code kind}), with the MAC it claims for the address.
 */
public record AddressSighting(String ip, String mac, String kind) {}
