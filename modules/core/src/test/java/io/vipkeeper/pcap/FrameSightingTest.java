package io.vipkeeper.pcap;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.driver.AddressSighting;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.util.MacAddress;

class FrameSightingTest {

  private static final String MAC = "02:18:00:00:00:99";

  @Test
  void gratuitousArpInBothFormsSaysWhoClaimsTheAddress() throws Exception {
    Inet4Address vip = (Inet4Address) InetAddress.getByName("198.18.0.50");
    for (GratuitousArp.Form form : GratuitousArp.Form.values()) {
      Optional<AddressSighting> s = FrameSighting.parse(GratuitousArp.frame(form, MAC, vip));
      assertEquals(Optional.of(new AddressSighting("198.18.0.50", MAC, "gratuitous-arp")), s, form.toString());
    }
  }

  @Test
  void anArpReplyToAnotherHostCountsAndARequestForAnotherAddressIsReadAsWhoAsksWhom() throws Exception {
    assertEquals(Optional.of(new AddressSighting("198.18.0.50", MAC, "arp-reply")),
        FrameSighting.parse(arp(ArpOperation.REPLY, "198.18.0.50", "198.18.0.100")));
    AddressSighting asks = FrameSighting.parse(arp(ArpOperation.REQUEST, "198.18.0.100", "198.18.0.50")).orElseThrow();
    assertEquals(new AddressSighting("198.18.0.100", MAC, "arp-request", "198.18.0.50"), asks,
        "who-has 198.18.0.50 tell 198.18.0.100: .100 talks to .50");
    assertTrue(asks.isRequest());
  }

  @Test
  void aDirectedArpFromTheVipIsARequestNotAGratuitousArp() throws Exception {
    byte[] f = DirectedArp.frame(MAC, (Inet4Address) InetAddress.getByName("198.18.0.50"),
        (Inet4Address) InetAddress.getByName("198.18.0.100"), "02:18:00:00:01:64");
    assertEquals(Optional.of(new AddressSighting("198.18.0.50", MAC, "arp-request", "198.18.0.100")), FrameSighting.parse(f));
    assertEquals("02:18:00:00:01:64", MacAddress.getByAddress(Arrays.copyOfRange(f, 0, 6)).toString(), "sent to the neighbour's MAC");
    byte[] broadcast = DirectedArp.frame(MAC, (Inet4Address) InetAddress.getByName("198.18.0.50"),
        (Inet4Address) InetAddress.getByName("198.18.0.100"), "");
    assertEquals(MacAddress.ETHER_BROADCAST_ADDRESS.toString(), MacAddress.getByAddress(Arrays.copyOfRange(broadcast, 0, 6)).toString());
    assertEquals(60, f.length);
  }

  @Test
  void aSwitchLearningFrameIsBroadcastFromTheVirtualMacAndIsNoSighting() {
    byte[] f = SwitchLearningFrame.frame("00:00:5e:00:01:32");
    assertEquals(60, f.length, "padded to the Ethernet minimum");
    assertEquals(MacAddress.ETHER_BROADCAST_ADDRESS.toString(), MacAddress.getByAddress(Arrays.copyOfRange(f, 0, 6)).toString());
    assertEquals("00:00:5e:00:01:32", MacAddress.getByAddress(Arrays.copyOfRange(f, 6, 12)).toString());
    assertEquals(0x88B5, ((f[12] & 0xff) << 8) | (f[13] & 0xff));
    assertEquals(Optional.empty(), FrameSighting.parse(f));
  }

  @Test
  void aNeighbourAdvertisementNamesItsTargetAndTheLinkLayerAddress() throws Exception {
    Inet6Address vip = (Inet6Address) InetAddress.getByName("2001:db8:18::50");
    Optional<AddressSighting> s = FrameSighting.parse(NeighborAdvertisement.frame(MAC, vip));
    assertEquals(Optional.of(new AddressSighting(vip.getHostAddress(), MAC, "neighbor-advertisement")), s);
  }

  @Test
  void otherAndBrokenFramesAreIgnored() throws Exception {
    byte[] arp = GratuitousArp.frame(GratuitousArp.Form.REQUEST, MAC, (Inet4Address) InetAddress.getByName("198.18.0.50"));
    assertEquals(Optional.empty(), FrameSighting.parse(Arrays.copyOf(arp, 30)), "truncated");
    byte[] ipv4 = arp.clone();
    ipv4[12] = 0x08;
    ipv4[13] = 0x00;
    assertEquals(Optional.empty(), FrameSighting.parse(ipv4), "not ARP");
    assertEquals(Optional.empty(), FrameSighting.parse(new byte[0]));
    assertEquals(Optional.empty(), FrameSighting.parse(null));
  }

  private static byte[] arp(ArpOperation op, String sender, String target) throws Exception {
    ArpPacket.Builder arp = new ArpPacket.Builder()
        .hardwareType(ArpHardwareType.ETHERNET).protocolType(EtherType.IPV4)
        .hardwareAddrLength((byte) 6).protocolAddrLength((byte) 4).operation(op)
        .srcHardwareAddr(MacAddress.getByName(MAC)).srcProtocolAddr(InetAddress.getByName(sender))
        .dstHardwareAddr(MacAddress.getByName("02:18:00:00:01:64")).dstProtocolAddr(InetAddress.getByName(target));
    return new EthernetPacket.Builder().dstAddr(MacAddress.getByName("02:18:00:00:01:64")).srcAddr(MacAddress.getByName(MAC))
        .type(EtherType.ARP).payloadBuilder(arp).paddingAtBuild(true).build().getRawData();
  }
}
