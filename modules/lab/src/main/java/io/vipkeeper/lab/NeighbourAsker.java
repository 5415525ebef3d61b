package io.vipkeeper.lab;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.nio.ByteOrder;

/**
 * A second host on the segment that asks who has the VIP (ARP request, and an IPv6 Neighbor
 * Solicitation) every few milliseconds and records every answer: two holders show up as one
 * request answered twice, whatever MAC each uses (in vmac mode both would use the same one).
 * Each request goes out from its own source MAC (one of 64, cycled), and an answer is sent to the
 * MAC that asked, so every answer is tied to exactly one request. Raw AF_PACKET socket, made in the
 * client's namespace; bounded in time, it stops by itself.
 */
public final class NeighbourAsker implements AutoCloseable {

  /** One answer: to which request, when (nanoTime), which MAC says it has the address, ARP or NA. */
  public record Reply(long seq, long nanos, String mac, String kind) {}

  private interface LibC extends Library {
    LibC C = Native.load("c", LibC.class);
    int socket(int domain, int type, int protocol);
    int bind(int fd, byte[] addr, int len);
    long send(int fd, byte[] buf, long len, int flags);
    long recv(int fd, byte[] buf, long len, int flags);
    int setsockopt(int fd, int level, int name, byte[] value, int len);
    int if_nametoindex(String name);
    int close(int fd);
  }

  private static final int MACS = 64;
  private final int fd;
  private final byte[] askerIp4;
  private final byte[] askerIp6;
  private final byte[] vip4;
  private final byte[] vip6;
  private final long intervalNanos;
  private final long deadline;
  private final List<Long> requestNanos = new ArrayList<>();
  private final List<Reply> replies = new ArrayList<>();
  private volatile boolean running = true;

  private NeighbourAsker(int fd, String askerIp4, String askerIp6, String vip4, String vip6, long intervalNanos, long maxNanos) throws Exception {
    this.fd = fd;
    this.askerIp4 = InetAddress.getByName(askerIp4).getAddress();
    this.askerIp6 = InetAddress.getByName(askerIp6).getAddress();
    this.vip4 = InetAddress.getByName(vip4).getAddress();
    this.vip6 = vip6.isEmpty() ? null : InetAddress.getByName(vip6).getAddress();
    this.intervalNanos = intervalNanos;
    this.deadline = System.nanoTime() + maxNanos;
  }

  /** Starts asking from {@code client} (its eth0, put in promiscuous mode for the 64 MACs). */
  public static NeighbourAsker start(Lab lab, String client, String askerIp4, String askerIp6, String vip4, String vip6,
      long intervalMillis, long maxSeconds) throws Exception {
    lab.exec(client, "ip", "link", "set", "eth0", "promisc", "on");
    int fd = lab.inside(client, () -> {
      int s = LibC.C.socket(17 /* AF_PACKET */, 3 /* SOCK_RAW */, 0x0300 /* htons(ETH_P_ALL) */);
      if (s < 0) throw new IllegalStateException("AF_PACKET socket refused (needs root)");
      ByteBuffer sll = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
      sll.putShort((short) 17).put((byte) 0).put((byte) 3).putInt(LibC.C.if_nametoindex("eth0"));
      if (LibC.C.bind(s, sll.array(), 20) != 0) throw new IllegalStateException("bind to eth0 failed");
      byte[] timeout = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(100_000).array();
      LibC.C.setsockopt(s, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, timeout, 16);
      return s;
    });
    NeighbourAsker asker = new NeighbourAsker(fd, askerIp4, askerIp6, vip4, vip6, intervalMillis * 1_000_000, maxSeconds * 1_000_000_000L);
    Thread receiver = new Thread(asker::receive, "asker-receive");
    Thread sender = new Thread(asker::send, "asker-send");
    receiver.setDaemon(true);
    sender.setDaemon(true);
    receiver.start();
    sender.start();
    return asker;
  }

  private static byte[] mac(long seq) {
    return new byte[] {0x02, 0x18, 0x00, 0x00, 0x02, (byte) (seq % MACS)};
  }

  private void send() {
    long next = System.nanoTime();
    for (long seq = 0; running && System.nanoTime() < deadline; seq++) {
      synchronized (requestNanos) {
        requestNanos.add(System.nanoTime());
      }
      byte[] arp = NeighbourFrames.arpRequest(mac(seq), askerIp4, vip4);
      LibC.C.send(fd, arp, arp.length, 0);
      if (vip6 != null) {
        byte[] ns = NeighbourFrames.solicitation(mac(seq), askerIp6, vip6);
        LibC.C.send(fd, ns, ns.length, 0);
      }
      next += intervalNanos;
      LockSupport.parkNanos(next - System.nanoTime());
    }
    running = false;
  }

  private void receive() {
    byte[] frame = new byte[1600];
    while (running && System.nanoTime() < deadline) {
      long n = LibC.C.recv(fd, frame, frame.length, 0);
      long now = System.nanoTime();
      if (n <= 0) continue;
      NeighbourFrames.Answer answer = NeighbourFrames.answer(frame, (int) n, vip4, vip6);
      if (answer == null || answer.to()[0] != 0x02 || answer.to()[4] != 0x02) continue;
      long seq = seqOf(answer.to()[5] & 0xff, now);
      if (seq < 0) continue;
      synchronized (replies) {
        replies.add(new Reply(seq, now, answer.mac(), answer.kind()));
      }
    }
  }

  /** The latest request sent from MAC index {@code index} before {@code now}. */
  private long seqOf(int index, long now) {
    synchronized (requestNanos) {
      for (int seq = requestNanos.size() - 1; seq >= 0; seq--) {
        if (seq % MACS == index && requestNanos.get(seq) <= now) return seq;
      }
    }
    return -1;
  }

  public List<Reply> replies() {
    synchronized (replies) {
      return List.copyOf(replies);
    }
  }

  /** Requests of {@code kind} after {@code sinceNanos} that got two or more answers: seq → MACs. */
  public Map<Long, List<String>> answeredTwice(String kind, long sinceNanos) {
    return answeredTwice(kind, sinceNanos, Long.MAX_VALUE);
  }

  /** The same, for answers in [{@code sinceNanos}, {@code untilNanos}]. */
  public Map<Long, List<String>> answeredTwice(String kind, long sinceNanos, long untilNanos) {
    Map<Long, List<String>> bySeq = new HashMap<>();
    for (Reply r : replies()) {
      if (r.kind().equals(kind) && r.nanos() > sinceNanos && r.nanos() <= untilNanos) bySeq.computeIfAbsent(r.seq(), s -> new ArrayList<>()).add(r.mac());
    }
    bySeq.values().removeIf(macs -> macs.size() < 2);
    return bySeq;
  }

  /** How long two hosts answered ARP at once in the window: requests answered twice × the interval (ms). */
  public double twoAnswersMillis(long sinceNanos, long untilNanos) {
    return answeredTwice("arp", sinceNanos, untilNanos).size() * intervalNanos / 1e6;
  }

  /** Answers of {@code kind} after {@code sinceNanos}, how many. */
  public long answers(String kind, long sinceNanos) {
    return replies().stream().filter(r -> r.kind().equals(kind) && r.nanos() > sinceNanos).count();
  }

  public String summary(long sinceNanos) {
    Map<String, Long> byMac = new HashMap<>();
    replies().stream().filter(r -> r.nanos() > sinceNanos).forEach(r -> byMac.merge(r.kind() + " " + r.mac(), 1L, Long::sum));
    return "answers since the fault: " + byMac + "; requests answered twice: arp " + answeredTwice("arp", sinceNanos).size()
        + ", na " + answeredTwice("na", sinceNanos).size();
  }

  @Override
  public void close() {
    running = false;
    LockSupport.parkNanos(200_000_000);
    LibC.C.close(fd);
  }
}
