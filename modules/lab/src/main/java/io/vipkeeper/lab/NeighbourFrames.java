package io.vipkeeper.lab;

import java.nio.ByteBuffer;

/** The asker's frames, built and parsed by hand: an ARP request, a Neighbor Solicitation, their answers. */
final class NeighbourFrames {

  /** Who answered ({@code mac}, the address it claims), to which asking MAC ({@code to}), ARP or NA. */
  record Answer(String mac, byte[] to, String kind) {}

  private NeighbourFrames() {}

  static byte[] arpRequest(byte[] mac, byte[] senderIp, byte[] targetIp) {
    ByteBuffer f = ByteBuffer.allocate(42);
    f.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(mac).putShort((short) 0x0806);
    f.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
    f.put(mac).put(senderIp).put(new byte[6]).put(targetIp);
    return f.array();
  }

  /** NS to the target's solicited-node multicast group, with the asker's link-layer address. */
  static byte[] solicitation(byte[] mac, byte[] source, byte[] target) {
    byte[] group = {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff, target[13], target[14], target[15]};
    ByteBuffer icmp = ByteBuffer.allocate(32);
    icmp.put((byte) 135).put((byte) 0).putShort((short) 0).putInt(0).put(target).put((byte) 1).put((byte) 1).put(mac);
    byte[] body = icmp.array();
    int sum = checksum(source, group, body);
    body[2] = (byte) (sum >> 8);
    body[3] = (byte) sum;
    ByteBuffer f = ByteBuffer.allocate(14 + 40 + body.length);
    f.put(new byte[] {0x33, 0x33, (byte) 0xff, target[13], target[14], target[15]}).put(mac).putShort((short) 0x86dd);
    f.putInt(0x60000000).putShort((short) body.length).put((byte) 58).put((byte) 255).put(source).put(group);
    f.put(body);
    return f.array();
  }

  private static int checksum(byte[] source, byte[] destination, byte[] body) {
    ByteBuffer pseudo = ByteBuffer.allocate(40 + body.length + (body.length % 2));
    pseudo.put(source).put(destination).putInt(body.length).put(new byte[] {0, 0, 0, 58}).put(body);
    pseudo.flip();
    long sum = 0;
    while (pseudo.remaining() > 1) sum += pseudo.getShort() & 0xffff;
    while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
    return (int) (~sum & 0xffff);
  }

  /** A solicited answer about {@code vip4} or {@code vip6}, or null for any other frame. */
  static Answer answer(byte[] f, int length, byte[] vip4, byte[] vip6) {
    if (length < 42) return null;
    int type = ((f[12] & 0xff) << 8) | (f[13] & 0xff);
    byte[] to = slice(f, 0, 6);
    if (type == 0x0806 && f[21] == 2 && equal(f, 28, vip4)) return new Answer(mac(f, 22), to, "arp");
    if (type == 0x86dd && vip6 != null && length >= 78 && f[20] == 58 && (f[54] & 0xff) == 136 && equal(f, 62, vip6)) {
      return new Answer(length >= 86 && f[78] == 2 ? mac(f, 80) : mac(f, 6), to, "na");
    }
    return null;
  }

  private static boolean equal(byte[] f, int at, byte[] value) {
    for (int i = 0; i < value.length; i++) if (f[at + i] != value[i]) return false;
    return true;
  }

  private static byte[] slice(byte[] f, int at, int n) {
    byte[] out = new byte[n];
    System.arraycopy(f, at, out, 0, n);
    return out;
  }

  private static String mac(byte[] f, int at) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 6; i++) out.append(i == 0 ? "" : ":").append(String.format("%02x", f[at + i]));
    return out.toString();
  }
}
