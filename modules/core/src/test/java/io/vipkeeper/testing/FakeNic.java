package io.vipkeeper.testing;

import io.vipkeeper.driver.Announcer;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.driver.InterfaceDriver;
import io.vipkeeper.driver.LinkInfo;
import io.vipkeeper.model.VipAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory NIC for unit tests: it keeps addresses like the kernel would and writes every effect
 * to a log that several fake nodes may share, so tests can check the order across nodes.
 */
public final class FakeNic implements InterfaceDriver, Announcer {

  private final String node;
  private final List<String> log;
  private final List<VipAddress> addresses = new CopyOnWriteArrayList<>();
  private final AtomicLong frames = new AtomicLong();
  private final List<String> links = new CopyOnWriteArrayList<>();
  private volatile String failAddsWith;
  private volatile String failRemovesWith;
  private volatile boolean linkUp = true;

  private final java.util.concurrent.atomic.AtomicInteger hostListings = new java.util.concurrent.atomic.AtomicInteger();

  public FakeNic(String node, List<String> sharedLog) {
    this.node = node;
    this.log = sharedLog;
  }

  public static List<String> newLog() {
    return new CopyOnWriteArrayList<>();
  }

  public Drivers drivers() {
    return fenced ? new Drivers(this, this, io.vipkeeper.driver.AddressSensor.NONE, fence) : new Drivers(this, this);
  }

  /** From now on with a kernel fence that writes its guards and unguards to the log. */
  public FakeNic fenced() {
    fenced = true;
    return this;
  }

  private volatile boolean fenced;
  private final io.vipkeeper.driver.KernelFence fence = new io.vipkeeper.driver.KernelFence() {
    @Override
    public void guard(java.util.Map<VipAddress, Long> untilNanos, java.util.Map<String, Long> macUntilNanos) {
      untilNanos.keySet().forEach(a -> log.add(node + " guard " + a.ip()));
      macUntilNanos.keySet().forEach(mac -> log.add(node + " guard " + mac));
    }

    @Override
    public void extend(java.util.Map<VipAddress, Long> untilNanos, java.util.Map<String, Long> macUntilNanos) {}

    @Override
    public void unguard(List<VipAddress> addresses, List<String> macs) {
      addresses.forEach(a -> log.add(node + " unguard " + a.ip()));
      macs.forEach(mac -> log.add(node + " unguard " + mac));
    }

    @Override
    public void close() {}
  };

  public void failAdds(String error) {
    failAddsWith = error;
  }

  public void failRemoves(String error) {
    failRemovesWith = error;
  }

  public void setLinkUp(boolean up) {
    linkUp = up;
    log.add(node + " link " + (up ? "up" : "down"));
  }

  public void preload(VipAddress address) {
    addresses.add(address);
  }

  public boolean has(String ip) {
    return addresses.stream().anyMatch(a -> a.ip().equals(ip));
  }

  @Override
  public LinkInfo link(String iface) {
    return new LinkInfo(iface, 2, "02:00:00:00:00:01", linkUp);
  }

  @Override
  public List<VipAddress> addresses(String iface) {
    return new ArrayList<>(addresses);
  }

  /** The fake's one interface is the whole host. */
  @Override
  public List<VipAddress> hostAddresses() {
    hostListings.incrementAndGet();
    return new ArrayList<>(addresses);
  }

  /** How often the host's addresses were listed (once per batch of claims, not per claim). */
  public int hostListings() {
    return hostListings.get();
  }

  @Override
  public void add(String iface, List<VipAddress> vips) {
    if (failAddsWith != null) throw new DriverException(failAddsWith);
    for (VipAddress vip : vips) {
      if (!has(vip.ip())) addresses.add(vip);
      log.add(node + " add " + vip.ip());
    }
  }

  @Override
  public void remove(String iface, List<VipAddress> vips) {
    if (failRemovesWith != null) throw new DriverException(failRemovesWith);
    for (VipAddress vip : vips) {
      if (addresses.removeIf(a -> a.ip().equals(vip.ip()))) log.add(node + " remove " + vip.ip());
    }
  }

  @Override
  public void addVirtual(String parent, String link, String mac, List<VipAddress> vips) {
    links.add(link);
    add(parent, vips);
    log.add(node + " link " + link + " " + mac);
  }

  @Override
  public void removeVirtual(String link) {
    if (!links.remove(link)) return;
    addresses.clear(); // the fake keeps one interface: its VIPs go with the link
    log.add(node + " unlink " + link);
  }

  @Override
  public boolean exists(String link) {
    return links.contains(link);
  }

  @Override
  public List<VipAddress> announce(List<VipAddress> vips, String mac) {
    for (VipAddress vip : vips) {
      frames.incrementAndGet();
      log.add(node + " announce " + vip.ip() + (mac.isEmpty() ? "" : " from " + mac));
    }
    return List.of();
  }

  @Override
  public void teachSwitches(String mac) {
    frames.incrementAndGet();
    log.add(node + " teach " + mac);
  }

  @Override
  public void tellNeighbours(VipAddress vip, String mac, List<io.vipkeeper.driver.Neighbour> neighbours) {
    for (io.vipkeeper.driver.Neighbour n : neighbours) {
      frames.incrementAndGet();
      log.add(node + " tell " + n.ip() + " " + vip.ip() + (mac.isEmpty() ? "" : " from " + mac));
    }
  }

  @Override
  public long framesSent() {
    return frames.get();
  }

  @Override
  public void close() {}
}
