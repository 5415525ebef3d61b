package io.vipkeeper.pcap;

import java.net.Inet4Address;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.util.MacAddress;

/**
 * An ARP request from the VIP to one neighbour ("who has the neighbour's address, tell the VIP at
 * this MAC"), sent to the neighbour's MAC (broadcast when unknown). A host that is asked for its own
 * address records the asker's address and MAC at once, overriding its entry (Linux: even within
 * the locktime); and since sender and target differ, it is not a gratuitous ARP, which some
 * switches drop.
 */
public final class DirectedArp {

  private DirectedArp() {}

  /** The raw frame (padded to 60 bytes): {@code vip} is at {@code mac}, told to {@code neighbour} ({@code neighbourMac} "" = broadcast). */
  public static byte[] frame(String mac, Inet4Address vip, Inet4Address neighbour, String neighbourMac) {
    return ArpFrame.build(ArpOperation.REQUEST, MacAddress.getByName(mac), vip, ArpFrame.ZERO, neighbour,
        neighbourMac.isEmpty() ? MacAddress.ETHER_BROADCAST_ADDRESS : MacAddress.getByName(neighbourMac));
  }
}
