package io.vipkeeper.pcap;

import io.vipkeeper.driver.Announcer;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.model.VipAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import io.vipkeeper.driver.Neighbour;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends announcements through one pcap handle, opened at start-up because the first open costs
 * half a second and must not land on the takeover path.
 */
public final class PcapAnnouncer implements Announcer {

  private static final Logger log = LoggerFactory.getLogger(PcapAnnouncer.class);
  private final String iface;
  private final String mac;
  private final List<GratuitousArp.Form> forms;
  private final AtomicLong sent = new AtomicLong();
  private final Map<String, List<byte[]>> built = new ConcurrentHashMap<>();
  private final FramePacer pacer;
  private PcapHandle handle;

  private PcapAnnouncer(String iface, String mac, List<GratuitousArp.Form> forms, PcapHandle handle, FramePacer pacer) {
    this.pacer = pacer;
    this.iface = iface;
    this.mac = mac;
    this.forms = List.copyOf(forms);
    this.handle = handle;
  }

  /**
   * Opens {@code iface} for sending; every failure says what to install or grant. An interface
   * that is down is opened later, on the first announcement after it comes up.
   */
  public static PcapAnnouncer open(String iface, String mac, List<GratuitousArp.Form> forms) {
    return open(iface, mac, forms, new FramePacer(Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2, System::nanoTime));
  }

  /** As {@link #open(String, String, List)}, with frames paced by {@code pacer}. */
  public static PcapAnnouncer open(String iface, String mac, List<GratuitousArp.Form> forms, FramePacer pacer) {
    PcapHandle handle = null;
    try {
      handle = openHandle(iface);
    } catch (DriverException e) {
      if (!String.valueOf(e.getMessage()).contains("not up")) throw e;
      log.warn("{} is down; announcements start once it is up", iface);
    }
    // Build one frame of each kind now: the first build loads pcap4j's packet classes (~15 ms).
    GratuitousArp.frame(GratuitousArp.Form.REQUEST, mac, (Inet4Address) new VipAddress("198.18.0.1", 32).inet());
    NeighborAdvertisement.frame(mac, (Inet6Address) new VipAddress("2001:db8::1", 128).inet());
    return new PcapAnnouncer(iface, mac, forms, handle, pacer);
  }

  @Override
  public List<VipAddress> announce(List<VipAddress> addresses, String sourceMac) {
    String from = sourceMac.isEmpty() ? mac : sourceMac;
    for (int i = 0; i < addresses.size(); i++) {
      VipAddress address = addresses.get(i);
      if (!pacer.tryTake(address.isIpv6() ? 1 : forms.size())) return List.copyOf(addresses.subList(i, addresses.size()));
      for (byte[] frame : frames(address, from)) send(frame, () -> "announcement for " + address);
    }
    return List.of();
  }

  @Override
  public void teachSwitches(String sourceMac) {
    send(built.computeIfAbsent("learn " + sourceMac, key -> List.of(SwitchLearningFrame.frame(sourceMac))).get(0), () -> "a switch-learning frame from " + sourceMac);
  }

  @Override
  public void tellNeighbours(VipAddress address, String sourceMac, List<Neighbour> neighbours) {
    if (address.isIpv6()) return;
    String from = sourceMac.isEmpty() ? mac : sourceMac;
    for (Neighbour n : neighbours) {
      try {
        send(DirectedArp.frame(from, (Inet4Address) address.inet(), (Inet4Address) InetAddress.getByName(n.ip()), n.mac()), () -> "ARP for " + address + " to " + n.ip());
      } catch (java.net.UnknownHostException e) {
        log.debug("neighbour {} is not an address", n.ip());
      }
    }
  }

  /**
   * The frames of one round for {@code address} from {@code mac}: built once (with pcap4j, ~ms each
   * on a cold JIT) and kept, so a claim only sends. Few distinct keys: one per VIP and source MAC.
   */
  private List<byte[]> frames(VipAddress address, String mac) {
    if (built.size() > 10_000) built.clear(); // groups added and removed for a long time: start over
    return built.computeIfAbsent(address.ip() + " " + mac, key -> {
      if (address.isIpv6()) return List.of(NeighborAdvertisement.frame(mac, (Inet6Address) address.inet()));
      return forms.stream().map(form -> GratuitousArp.frame(form, mac, (Inet4Address) address.inet())).toList();
    });
  }

  /** Builds the frames of {@code addresses} ahead of their first claim. */
  public void prebuild(List<VipAddress> addresses, String sourceMac) {
    for (VipAddress address : addresses) frames(address, sourceMac.isEmpty() ? mac : sourceMac);
  }

  @Override
  public long framesSent() {
    return sent.get();
  }

  @Override
  public synchronized void close() {
    if (handle != null) handle.close();
  }

  private synchronized void send(byte[] frame, java.util.function.Supplier<String> what) {
    if (handle == null) handle = openHandle(iface);
    try {
      handle.sendPacket(frame);
      sent.incrementAndGet();
    } catch (Exception e) {
      throw new DriverException("cannot send " + what.get() + " on " + iface + ": " + e.getMessage(), e);
    }
  }

  private static PcapHandle openHandle(String iface) {
    try {
      Pcaps.libVersion(); // loads libpcap now: the first load costs ~0.5 s
      PcapNetworkInterface device = Pcaps.getDevByName(iface);
      if (device == null) {
        throw new DriverException("pcap cannot see interface '" + iface + "'; check vipkeeper.interface");
      }
      return device.openLive(128, PromiscuousMode.NONPROMISCUOUS, 10);
    } catch (PcapNativeException e) {
      String hint = String.valueOf(e.getMessage()).contains("not permitted")
          ? " (run as root or grant CAP_NET_RAW)" : "";
      throw new DriverException("cannot open '" + iface + "' for sending frames: " + e.getMessage() + hint, e);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      log.debug("libpcap load failure", e);
      throw new DriverException("libpcap is not installed (apt-get install libpcap0.8), or set"
          + " -Dorg.pcap4j.core.pcapLibName=<path to libpcap.so>: " + e.getMessage(), e);
    }
  }
}
