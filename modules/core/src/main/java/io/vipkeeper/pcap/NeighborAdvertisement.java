package io.vipkeeper.pcap;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IcmpV6NeighborAdvertisementPacket;
import org.pcap4j.packet.IpV6NeighborDiscoveryTargetLinkLayerAddressOption;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.IpV6SimpleFlowLabel;
import org.pcap4j.packet.IpV6SimpleTrafficClass;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IcmpV6Code;
import org.pcap4j.packet.namednumber.IcmpV6Type;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpVersion;
import org.pcap4j.util.MacAddress;

/**
 * Builds the IPv6 twin of a gratuitous ARP: an unsolicited Neighbor Advertisement (RFC 4861
 * 7.2.6) to all-nodes, Override set and Solicited clear, carrying the new MAC as the target
 * link-layer address option. Hop limit 255, or receivers drop it.
 */
public final class NeighborAdvertisement {

  private static final Inet6Address ALL_NODES = allNodes();
  private static final MacAddress ALL_NODES_MAC = MacAddress.getByName("33:33:00:00:00:01");

  private NeighborAdvertisement() {}

  /** The raw Ethernet frame announcing {@code vip} at {@code mac}. */
  public static byte[] frame(String mac, Inet6Address vip) {
    MacAddress source = MacAddress.getByName(mac);
    IpV6NeighborDiscoveryTargetLinkLayerAddressOption option = new IpV6NeighborDiscoveryTargetLinkLayerAddressOption.Builder()
        .linkLayerAddress(source.getAddress())
        .correctLengthAtBuild(true)
        .build();
    IcmpV6NeighborAdvertisementPacket.Builder advertisement = new IcmpV6NeighborAdvertisementPacket.Builder()
        .routerFlag(false)
        .solicitedFlag(false)
        .overrideFlag(true)
        .reserved(0)
        .targetAddress(vip)
        .options(List.of(option));
    IcmpV6CommonPacket.Builder icmp = new IcmpV6CommonPacket.Builder()
        .type(IcmpV6Type.NEIGHBOR_ADVERTISEMENT)
        .code(IcmpV6Code.NO_CODE)
        .srcAddr(vip)
        .dstAddr(ALL_NODES)
        .payloadBuilder(advertisement)
        .correctChecksumAtBuild(true);
    IpV6Packet.Builder ip = new IpV6Packet.Builder()
        .version(IpVersion.IPV6)
        .trafficClass(IpV6SimpleTrafficClass.newInstance((byte) 0))
        .flowLabel(IpV6SimpleFlowLabel.newInstance(0))
        .nextHeader(IpNumber.ICMPV6)
        .hopLimit((byte) 255)
        .srcAddr(vip)
        .dstAddr(ALL_NODES)
        .payloadBuilder(icmp)
        .correctLengthAtBuild(true);
    return new EthernetPacket.Builder()
        .dstAddr(ALL_NODES_MAC)
        .srcAddr(source)
        .type(EtherType.IPV6)
        .payloadBuilder(ip)
        .paddingAtBuild(true)
        .build()
        .getRawData();
  }

  private static Inet6Address allNodes() {
    try {
      return (Inet6Address) InetAddress.getByName("ff02::1");
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
