package io.vipkeeper.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.model.VipAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Addresses through an rtnetlink socket (the kernel interface iproute2 itself uses), in-process
 * through JNA: adding or removing a group's addresses is one send and its acknowledgements, with no
 * fork (forking ip cost 3-28 ms per call from the JVM, on the claim's critical path). The socket
 * belongs to the network namespace the process runs in. Calls are serialized.
 */
final class Rtnetlink implements AutoCloseable {

  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_ROUTE = 0;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final short RTM_NEWADDR = 20;
  private static final short RTM_DELADDR = 21;
  private static final short RTM_GETADDR = 22;
  private static final short NLMSG_ERROR = 2;
  private static final short NLMSG_DONE = 3;
  private static final short NLM_F_REQUEST = 0x1;
  private static final short NLM_F_ACK = 0x4;
  private static final short NLM_F_DUMP = 0x300;
  private static final short NLM_F_REPLACE = 0x100;
  private static final short NLM_F_CREATE = 0x400;
  private static final short IFA_ADDRESS = 1;
  private static final short IFA_LOCAL = 2;
  private static final short IFA_FLAGS = 8;
  private static final int IFA_F_NODAD = 0x02;
  static final int EPERM = 1;
  private static final int ENOENT = 2;
  private static final int ESRCH = 3;
  private static final int EADDRNOTAVAIL = 99;
  /** nlmsghdr 16 + ifaddrmsg 8 + two IPv6 attributes of 20 + IFA_FLAGS 8. */
  private static final int MAX_MESSAGE = 96;
  /** Messages per send: their acknowledgements must fit the socket's receive buffer. */
  private static final int PER_SEND = 64;

  /** One address and the interface (index) it is on. */
  record Entry(int index, VipAddress address) {}

  private final LibC libc;
  private final int fd;
  private int seq = (int) (System.nanoTime() & 0x3fffffff);

  private Rtnetlink(LibC libc, int fd) {
    this.libc = libc;
    this.fd = fd;
  }

  static Rtnetlink open() {
    LibC libc;
    try {
      libc = Native.load("c", LibC.class);
    } catch (UnsatisfiedLinkError e) {
      throw new DriverException("cannot load libc through JNA for rtnetlink (" + e.getMessage().lines().findFirst().orElse("")
          + "); set vipkeeper.kernel.address-api = ip to use iproute2 instead");
    }
    try {
      int fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
      byte[] local = new byte[12]; // sockaddr_nl: family, pad, pid 0 (the kernel picks), groups 0
      ByteBuffer.wrap(local).order(ByteOrder.nativeOrder()).putShort((short) AF_NETLINK);
      libc.bind(fd, local, local.length);
      libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new long[] {5, 0}, 16); // never wait for the kernel forever
      return new Rtnetlink(libc, fd);
    } catch (LastErrorException e) {
      throw new DriverException("cannot open an rtnetlink socket: errno " + e.getErrorCode());
    }
  }

  /** The interface's index; fails with a message that names it when it does not exist. */
  int index(String iface) {
    int index = libc.if_nametoindex(iface);
    if (index == 0) throw new DriverException("interface '" + iface + "' does not exist; set vipkeeper.interface to one listed by 'ip link'");
    return index;
  }

  /** Adds (or keeps) each address; returns the error per address that failed (errno), empty when all hold. */
  synchronized Map<VipAddress, Integer> add(int index, List<VipAddress> addresses) {
    return change(RTM_NEWADDR, (short) (NLM_F_CREATE | NLM_F_REPLACE), index, addresses);
  }

  /** Removes each address; one already absent is no error. Returns the errors per address. */
  synchronized Map<VipAddress, Integer> remove(int index, List<VipAddress> addresses) {
    Map<VipAddress, Integer> errors = change(RTM_DELADDR, (short) 0, index, addresses);
    errors.values().removeIf(errno -> errno == EADDRNOTAVAIL || errno == ENOENT || errno == ESRCH);
    return errors;
  }

  /** Every address on the host's interfaces (index 0) or on one interface. */
  synchronized List<Entry> addresses(int onlyIndex) {
    ByteBuffer request = message(RTM_GETADDR, (short) (NLM_F_REQUEST | NLM_F_DUMP), ++seq, (byte) 0, (byte) 0, 0, 0);
    int asked = seq;
    send(request);
    List<Entry> found = new ArrayList<>();
    while (true) {
      for (ByteBuffer msg : receive()) {
        short type = msg.getShort(4);
        if (msg.getInt(8) != asked) continue;
        if (type == NLMSG_DONE) return found;
        if (type == NLMSG_ERROR) throw new DriverException("the kernel refused to list addresses: errno " + -msg.getInt(16));
        if (type != RTM_NEWADDR) continue;
        Entry entry = entry(msg);
        if (entry != null && (onlyIndex == 0 || entry.index() == onlyIndex)) found.add(entry);
      }
    }
  }

  private Map<VipAddress, Integer> change(short type, short flags, int index, List<VipAddress> addresses) {
    Map<VipAddress, Integer> errors = new HashMap<>();
    for (int from = 0; from < addresses.size(); from += PER_SEND) {
      errors.putAll(changeSome(type, flags, index, addresses.subList(from, Math.min(addresses.size(), from + PER_SEND))));
    }
    return errors;
  }

  private Map<VipAddress, Integer> changeSome(short type, short flags, int index, List<VipAddress> addresses) {
    Map<Integer, VipAddress> bySeq = new HashMap<>();
    ByteBuffer batch = ByteBuffer.allocate(addresses.size() * MAX_MESSAGE).order(ByteOrder.nativeOrder());
    for (VipAddress address : addresses) {
      bySeq.put(++seq, address);
      batch.put(addressMessage(type, (short) (NLM_F_REQUEST | NLM_F_ACK | flags), seq, index, address).flip());
    }
    send(batch.flip());
    Map<VipAddress, Integer> errors = new HashMap<>();
    while (!bySeq.isEmpty()) {
      for (ByteBuffer msg : receive()) {
        if (msg.getShort(4) != NLMSG_ERROR) continue;
        VipAddress address = bySeq.remove(msg.getInt(8));
        int errno = -msg.getInt(16);
        if (address != null && errno != 0) errors.put(address, errno);
      }
    }
    return errors;
  }

  private ByteBuffer addressMessage(short type, short flags, int seq, int index, VipAddress address) {
    byte[] ip = bytes(address.ip());
    boolean v6 = ip.length == 16;
    int ifaFlags = v6 && type == RTM_NEWADDR ? IFA_F_NODAD : 0;
    ByteBuffer msg = message(type, flags, seq, (byte) (v6 ? 10 : 2), (byte) address.prefixLength(), ifaFlags, index);
    msg.limit(msg.capacity());
    attribute(msg, IFA_LOCAL, ip);
    attribute(msg, IFA_ADDRESS, ip);
    if (ifaFlags != 0) attribute(msg, IFA_FLAGS, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(ifaFlags).array());
    msg.putInt(0, msg.position());
    return msg;
  }

  /** nlmsghdr + ifaddrmsg; position after them. */
  private static ByteBuffer message(short type, short flags, int seq, byte family, byte prefix, int ifaFlags, int index) {
    ByteBuffer msg = ByteBuffer.allocate(MAX_MESSAGE).order(ByteOrder.nativeOrder());
    msg.putInt(24).putShort(type).putShort(flags).putInt(seq).putInt(0);
    msg.put(family).put(prefix).put((byte) ifaFlags).put((byte) 0).putInt(index);
    if (type == RTM_GETADDR) msg.flip();
    return msg;
  }

  private static void attribute(ByteBuffer msg, short type, byte[] value) {
    msg.putShort((short) (4 + value.length)).putShort(type).put(value);
    while (msg.position() % 4 != 0) msg.put((byte) 0);
  }

  private void send(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    try {
      libc.send(fd, bytes, bytes.length, 0);
    } catch (LastErrorException e) {
      throw new DriverException("rtnetlink send failed: errno " + e.getErrorCode());
    }
  }

  /** One datagram from the kernel, split into its messages. */
  private List<ByteBuffer> receive() {
    byte[] buffer = new byte[65536];
    long n;
    try {
      n = libc.recv(fd, buffer, buffer.length, 0);
    } catch (LastErrorException e) {
      throw new DriverException("rtnetlink receive failed: errno " + e.getErrorCode() + " (the kernel did not answer within 5 s?)");
    }
    List<ByteBuffer> messages = new ArrayList<>();
    ByteBuffer all = ByteBuffer.wrap(buffer, 0, (int) n).order(ByteOrder.nativeOrder());
    while (all.remaining() >= 16) {
      int start = all.position();
      int length = all.getInt(start);
      if (length < 16 || length > all.remaining()) break;
      messages.add(all.slice(start, length).order(ByteOrder.nativeOrder()));
      all.position(start + ((length + 3) & ~3));
    }
    return messages;
  }

  /** An RTM_NEWADDR of a dump: IFA_LOCAL where present (IPv4), else IFA_ADDRESS. */
  private static Entry entry(ByteBuffer msg) {
    int family = msg.get(16) & 0xff;
    int prefix = msg.get(17) & 0xff;
    int index = msg.getInt(20);
    byte[] local = null;
    byte[] address = null;
    int at = 24;
    while (at + 4 <= msg.limit()) {
      int length = msg.getShort(at) & 0xffff;
      int type = msg.getShort(at + 2) & 0xffff;
      if (length < 4 || at + length > msg.limit()) break;
      if (type == IFA_LOCAL || type == IFA_ADDRESS) {
        byte[] value = new byte[length - 4];
        msg.get(at + 4, value);
        if (type == IFA_LOCAL) local = value;
        else address = value;
      }
      at += (length + 3) & ~3;
    }
    byte[] ip = local != null ? local : address;
    if (ip == null || (family != 2 && family != 10)) return null;
    try {
      return new Entry(index, new VipAddress(InetAddress.getByAddress(ip).getHostAddress(), prefix));
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null; // not an address a VIP could be (a /0 entry): it cannot clash with one
    }
  }

  private static byte[] bytes(String ip) {
    try {
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new DriverException("not an IP address: " + ip);
    }
  }

  @Override
  public synchronized void close() {
    try {
      libc.close(fd);
    } catch (LastErrorException e) {
      // closing at shutdown: nothing left to do
    }
  }
}
