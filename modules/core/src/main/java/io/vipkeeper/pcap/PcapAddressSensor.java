package io.vipkeeper.pcap;

import io.vipkeeper.driver.AddressSensor;
import io.vipkeeper.driver.AddressSighting;
import io.vipkeeper.driver.DriverException;
import java.util.function.Consumer;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures ARP and neighbour advertisements on the interface (its own pcap handle and thread) and
 * hands each sighting to the listener: how a holder learns that another host answers for its VIP.
 */
public final class PcapAddressSensor implements AddressSensor {

  private static final Logger log = LoggerFactory.getLogger(PcapAddressSensor.class);
  private static final String FILTER = "arp or (icmp6 and ip6[40] == 136)";

  private final String iface;
  private volatile boolean running;
  private volatile PcapHandle handle;

  public PcapAddressSensor(String iface) {
    this.iface = iface;
  }

  @Override
  public void start(Consumer<AddressSighting> listener) {
    running = true;
    Thread thread = new Thread(() -> capture(listener), "vipkeeper-sensor-" + iface);
    thread.setDaemon(true);
    thread.start();
  }

  private void capture(Consumer<AddressSighting> listener) {
    try {
      loop(listener);
    } finally {
      closeHandle(); // on this thread: closing a handle another thread reads from is not safe
    }
  }

  private void loop(Consumer<AddressSighting> listener) {
    while (running) {
      try {
        if (handle == null) handle = open();
        byte[] frame = handle.getNextRawPacket(); // null on the read timeout
        if (frame != null) FrameSighting.parse(frame).ifPresent(listener);
      } catch (Exception e) {
        if (!running) return;
        log.warn("address conflict detection on {} paused: {}; retrying in 1 s", iface, e.getMessage());
        closeHandle();
        sleep();
      }
    }
  }

  private PcapHandle open() throws Exception {
    PcapNetworkInterface device = Pcaps.getDevByName(iface);
    if (device == null) throw new DriverException("pcap cannot see interface '" + iface + "'");
    PcapHandle h = device.openLive(256, PromiscuousMode.NONPROMISCUOUS, 100);
    h.setFilter(FILTER, BpfCompileMode.OPTIMIZE);
    return h;
  }

  private static void sleep() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeHandle() {
    if (handle != null) handle.close();
    handle = null;
  }

  /** The capture thread notices within its 100 ms read timeout and closes the handle. */
  @Override
  public void close() {
    running = false;
  }
}
