package io.vipkeeper.pcap;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV6NeighborAdvertisementPacket;
import org.pcap4j.util.MacAddress;

class NeighborAdvertisementTest {

  private static final String MAC = "02:18:00:00:00:0b";
  private static final byte[] MAC_BYTES = {0x02, 0x18, 0, 0, 0, 0x0b};

  private static Inet6Address vip() throws Exception {
    return (Inet6Address) InetAddress.getByName("2001:db8:18::50");
  }

  @Test
  void unsolicitedAdvertisementBytesFieldByField() throws Exception {
    byte[] f = NeighborAdvertisement.frame(MAC, vip());
    byte[] allNodes = InetAddress.getByName("ff02::1").getAddress();
    assertEquals(86, f.length, "14 Ethernet + 40 IPv6 + 24 advertisement + 8 option");
    assertArrayEquals(new byte[] {0x33, 0x33, 0, 0, 0, 1}, slice(f, 0, 6), "all-nodes multicast MAC");
    assertArrayEquals(MAC_BYTES, slice(f, 6, 12), "source: the claiming interface's MAC");
    assertArrayEquals(new byte[] {(byte) 0x86, (byte) 0xdd}, slice(f, 12, 14), "EtherType IPv6");
    assertEquals(6, (f[14] & 0xf0) >> 4, "IP version");
    assertEquals(32, ((f[18] & 0xff) << 8) | (f[19] & 0xff), "payload length");
    assertEquals(58, f[20], "next header ICMPv6");
    assertEquals(255, f[21] & 0xff, "hop limit 255, or receivers drop it");
    assertArrayEquals(vip().getAddress(), slice(f, 22, 38), "source address = VIP");
    assertArrayEquals(allNodes, slice(f, 38, 54), "destination ff02::1");
    assertEquals(136, f[54] & 0xff, "ICMPv6 type Neighbor Advertisement");
    assertEquals(0, f[55], "code 0");
    assertEquals(0x20, f[58] & 0xe0, "Router clear, Solicited clear, Override set");
    assertArrayEquals(vip().getAddress(), slice(f, 62, 78), "target address = VIP");
    assertEquals(2, f[78], "option: target link-layer address");
    assertEquals(1, f[79], "option length in units of 8 bytes");
    assertArrayEquals(MAC_BYTES, slice(f, 80, 86), "the MAC clients must use");
    assertEquals(0, checksum(f), "ICMPv6 checksum over the pseudo-header verifies");
  }

  @Test
  void parsesBackWithPcap4j() throws Exception {
    byte[] f = NeighborAdvertisement.frame(MAC, vip());
    EthernetPacket eth = EthernetPacket.newPacket(f, 0, f.length);
    IcmpV6NeighborAdvertisementPacket.IcmpV6NeighborAdvertisementHeader na =
        eth.get(IcmpV6NeighborAdvertisementPacket.class).getHeader();
    assertTrue(na.getOverrideFlag());
    assertFalse(na.getSolicitedFlag());
    assertEquals(vip(), na.getTargetAddress());
    assertEquals(MacAddress.getByName(MAC), MacAddress.getByAddress(slice(f, 80, 86)));
  }

  /** One's-complement sum over pseudo-header + ICMPv6 message; 0 when the checksum is right. */
  private static int checksum(byte[] f) {
    long sum = 0;
    for (int i = 22; i < 54; i += 2) sum += ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
    int length = f.length - 54;
    sum += length + 58;
    for (int i = 54; i < f.length; i += 2) sum += ((f[i] & 0xff) << 8) | (i + 1 < f.length ? f[i + 1] & 0xff : 0);
    while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
    return (int) (~sum & 0xffff);
  }

  private static byte[] slice(byte[] bytes, int from, int to) {
    return Arrays.copyOfRange(bytes, from, to);
  }
}
