package io.vipkeeper.driver;

import io.vipkeeper.model.VipAddress;
import java.util.List;

/**
 * The drivers of a witness ({@code vipkeeper.role = witness}): there is no NIC to touch, so there is
 * nothing to list, remove or announce, and an address is never added.
 */
public final class NoNic implements InterfaceDriver, Announcer {

  private NoNic() {}

  public static Drivers drivers() {
    NoNic none = new NoNic();
    return new Drivers(none, none);
  }

  @Override
  public LinkInfo link(String iface) {
    return new LinkInfo(iface, 0, "", true);
  }

  @Override
  public List<VipAddress> addresses(String iface) {
    return List.of();
  }

  @Override
  public List<VipAddress> hostAddresses() {
    return List.of();
  }

  @Override
  public void add(String iface, List<VipAddress> addresses) {
    throw new DriverException("this node is a witness (vipkeeper.role = witness): it holds no VIPs");
  }

  @Override
  public void remove(String iface, List<VipAddress> addresses) {}

  @Override
  public void addVirtual(String parent, String link, String mac, List<VipAddress> addresses) {
    add(parent, addresses);
  }

  @Override
  public void removeVirtual(String link) {}

  @Override
  public boolean exists(String link) {
    return false;
  }

  @Override
  public List<VipAddress> announce(List<VipAddress> addresses, String mac) {
    return List.of();
  }

  @Override
  public void teachSwitches(String mac) {}

  @Override
  public void tellNeighbours(VipAddress address, String mac, List<Neighbour> neighbours) {}

  @Override
  public long framesSent() {
    return 0;
  }

  @Override
  public void close() {}
}
