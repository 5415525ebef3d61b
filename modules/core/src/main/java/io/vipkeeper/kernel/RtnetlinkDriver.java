package io.vipkeeper.kernel;

import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.InterfaceDriver;
import io.vipkeeper.driver.LinkInfo;
import io.vipkeeper.model.VipAddress;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@link InterfaceDriver} whose address work (list, add, remove) goes through {@link Rtnetlink}
 * in-process, the hot path of every claim and release; links (state, macvlan) stay with iproute2.
 */
public final class RtnetlinkDriver implements InterfaceDriver, AutoCloseable {

  private final IpRouteDriver links;
  private final Rtnetlink netlink;

  public RtnetlinkDriver(IpRouteDriver links) {
    this.links = links;
    this.netlink = Rtnetlink.open();
  }

  @Override
  public LinkInfo link(String iface) {
    return links.link(iface);
  }

  @Override
  public boolean linkUp(String iface) {
    return links.linkUp(iface);
  }

  @Override
  public List<VipAddress> addresses(String iface) {
    return netlink.addresses(netlink.index(iface)).stream().map(Rtnetlink.Entry::address).toList();
  }

  @Override
  public List<VipAddress> hostAddresses() {
    return netlink.addresses(0).stream().map(Rtnetlink.Entry::address).toList();
  }

  /** All or none: when one address fails, the ones added with it are removed again. */
  @Override
  public void add(String iface, List<VipAddress> addresses) {
    int index = netlink.index(iface);
    Map<VipAddress, Integer> failed = netlink.add(index, addresses);
    if (failed.isEmpty()) return;
    netlink.remove(index, addresses);
    throw new DriverException("cannot add " + addresses + " to '" + iface + "': " + describe(failed));
  }

  @Override
  public void remove(String iface, List<VipAddress> addresses) {
    Map<VipAddress, Integer> failed = netlink.remove(netlink.index(iface), addresses);
    if (!failed.isEmpty()) throw new DriverException("cannot remove " + failed.keySet() + " from '" + iface + "': " + describe(failed));
  }

  @Override
  public void addVirtual(String parent, String link, String mac, List<VipAddress> addresses) {
    links.addVirtual(parent, link, mac, addresses);
  }

  @Override
  public void removeVirtual(String link) {
    links.removeVirtual(link);
  }

  @Override
  public boolean exists(String link) {
    return links.exists(link);
  }

  @Override
  public void close() {
    netlink.close();
  }

  private static String describe(Map<VipAddress, Integer> failed) {
    return failed.entrySet().stream().map(e -> e.getKey().ip() + ": errno " + e.getValue()
            + (e.getValue() == Rtnetlink.EPERM ? " (operation not permitted: needs CAP_NET_ADMIN; run as root or grant it)" : ""))
        .collect(Collectors.joining(", "));
  }
}
