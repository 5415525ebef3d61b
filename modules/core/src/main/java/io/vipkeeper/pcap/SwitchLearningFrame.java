package io.vipkeeper.pcap;

import java.nio.charset.StandardCharsets;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.UnknownPacket;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.util.MacAddress;

/**
 * A broadcast frame from a virtual MAC that is not ARP, so that switches learn the MAC's port from
 * it even where they drop gratuitous ARP before learning (dynamic ARP inspection, ARP rate
 * policies), as VRRP's advertisements do. EtherType 0x88B5 (IEEE 802 local experimental): every
 * host drops it unread.
 */
public final class SwitchLearningFrame {

  public static final short ETHER_TYPE = (short) 0x88B5;
  private static final EtherType LOCAL_EXPERIMENTAL = new EtherType(ETHER_TYPE, "Local Experimental Ethertype 1");
  private static final byte[] PAYLOAD = "vipkeeper: this MAC moved here".getBytes(StandardCharsets.US_ASCII);

  private SwitchLearningFrame() {}

  /** The raw frame (padded to the 60-byte minimum) sourced from {@code mac}. */
  public static byte[] frame(String mac) {
    return new EthernetPacket.Builder()
        .dstAddr(MacAddress.ETHER_BROADCAST_ADDRESS)
        .srcAddr(MacAddress.getByName(mac))
        .type(LOCAL_EXPERIMENTAL)
        .payloadBuilder(new UnknownPacket.Builder().rawData(PAYLOAD))
        .paddingAtBuild(true)
        .build()
        .getRawData();
  }
}
