package io.vipkeeper.pcap;

import java.net.Inet4Address;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.util.MacAddress;

/** One Ethernet/IPv4 ARP frame, padded to the 60-byte minimum, sourced from the sender's MAC. */
final class ArpFrame {

  static final MacAddress ZERO = MacAddress.getByName("00:00:00:00:00:00");

  private ArpFrame() {}

  static byte[] build(ArpOperation op, MacAddress sender, Inet4Address senderIp, MacAddress target, Inet4Address targetIp, MacAddress to) {
    ArpPacket.Builder arp = new ArpPacket.Builder()
        .hardwareType(ArpHardwareType.ETHERNET)
        .protocolType(EtherType.IPV4)
        .hardwareAddrLength((byte) MacAddress.SIZE_IN_BYTES)
        .protocolAddrLength((byte) 4)
        .operation(op)
        .srcHardwareAddr(sender)
        .srcProtocolAddr(senderIp)
        .dstHardwareAddr(target)
        .dstProtocolAddr(targetIp);
    return new EthernetPacket.Builder()
        .dstAddr(to)
        .srcAddr(sender)
        .type(EtherType.ARP)
        .payloadBuilder(arp)
        .paddingAtBuild(true)
        .build()
        .getRawData();
  }
}
