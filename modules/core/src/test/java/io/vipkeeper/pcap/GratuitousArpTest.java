package io.vipkeeper.pcap;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.util.MacAddress;

class GratuitousArpTest {

  private static final String MAC = "02:18:00:00:00:0b";
  private static final byte[] MAC_BYTES = {0x02, 0x18, 0, 0, 0, 0x0b};
  private static final byte[] VIP_BYTES = {(byte) 198, 18, 0, 50};
  private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

  private static Inet4Address vip() throws Exception {
    return (Inet4Address) InetAddress.getByAddress(VIP_BYTES);
  }

  @Test
  void requestFormBytesFieldByField() throws Exception {
    byte[] f = GratuitousArp.frame(GratuitousArp.Form.REQUEST, MAC, vip());
    assertEquals(60, f.length, "padded to the Ethernet minimum");
    assertArrayEquals(BROADCAST, slice(f, 0, 6), "destination: broadcast");
    assertArrayEquals(MAC_BYTES, slice(f, 6, 12), "source: the claiming interface's MAC");
    assertArrayEquals(new byte[] {0x08, 0x06}, slice(f, 12, 14), "EtherType ARP");
    assertArrayEquals(new byte[] {0, 1, 0x08, 0x00, 6, 4}, slice(f, 14, 20), "Ethernet/IPv4, lengths 6/4");
    assertArrayEquals(new byte[] {0, 1}, slice(f, 20, 22), "opcode request");
    assertArrayEquals(MAC_BYTES, slice(f, 22, 28), "sender MAC");
    assertArrayEquals(VIP_BYTES, slice(f, 28, 32), "sender IP = VIP");
    assertArrayEquals(new byte[6], slice(f, 32, 38), "target MAC zero in an announcement");
    assertArrayEquals(VIP_BYTES, slice(f, 38, 42), "target IP = sender IP");
  }

  @Test
  void replyFormBytesFieldByField() throws Exception {
    byte[] f = GratuitousArp.frame(GratuitousArp.Form.REPLY, MAC, vip());
    assertArrayEquals(BROADCAST, slice(f, 0, 6));
    assertArrayEquals(new byte[] {0x08, 0x06}, slice(f, 12, 14));
    assertArrayEquals(new byte[] {0, 2}, slice(f, 20, 22), "opcode reply");
    assertArrayEquals(MAC_BYTES, slice(f, 22, 28));
    assertArrayEquals(VIP_BYTES, slice(f, 28, 32));
    assertArrayEquals(MAC_BYTES, slice(f, 32, 38), "target MAC = sender MAC, or Linux does not take the reply as gratuitous");
    assertArrayEquals(VIP_BYTES, slice(f, 38, 42));
  }

  @Test
  void parsesBackWithPcap4j() throws Exception {
    byte[] f = GratuitousArp.frame(GratuitousArp.Form.REQUEST, MAC, vip());
    EthernetPacket eth = EthernetPacket.newPacket(f, 0, f.length);
    assertEquals(EtherType.ARP, eth.getHeader().getType());
    assertEquals(MacAddress.ETHER_BROADCAST_ADDRESS, eth.getHeader().getDstAddr());
    ArpPacket.ArpHeader arp = eth.get(ArpPacket.class).getHeader();
    assertEquals(ArpOperation.REQUEST, arp.getOperation());
    assertEquals(MacAddress.getByName(MAC), arp.getSrcHardwareAddr());
    assertEquals(vip(), arp.getSrcProtocolAddr());
    assertEquals(arp.getSrcProtocolAddr(), arp.getDstProtocolAddr());
  }

  private static byte[] slice(byte[] bytes, int from, int to) {
    return Arrays.copyOfRange(bytes, from, to);
  }
}
