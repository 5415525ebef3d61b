package io.vipkeeper.pcap;

import java.net.Inet4Address;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.util.MacAddress;

/**
 * Builds gratuitous ARP frames: broadcast, sender and target IP both the VIP, sender MAC the one
 * that now answers for it. Two forms are in common use and hosts differ in which they honour.
 */
public final class GratuitousArp {

  /** The ARP operation carried; hosts with {@code arp_accept=0} still update on either form. */
  public enum Form {
    /** ARP request asking for its own address (RFC 5227 "ARP announcement"); target MAC zero. */
    REQUEST,
    /**
     * Unsolicited ARP reply; target MAC = sender MAC, which is what Linux requires to treat a
     * reply as gratuitous (and so to apply it even within the neighbour entry's locktime).
     */
    REPLY
  }

  private GratuitousArp() {}

  /** The raw Ethernet frame (padded to the 60-byte minimum) announcing {@code vip} at {@code mac}. */
  public static byte[] frame(Form form, String mac, Inet4Address vip) {
    MacAddress source = MacAddress.getByName(mac);
    return ArpFrame.build(form == Form.REQUEST ? ArpOperation.REQUEST : ArpOperation.REPLY, source, vip,
        form == Form.REQUEST ? ArpFrame.ZERO : source, vip, MacAddress.ETHER_BROADCAST_ADDRESS);
  }
}
