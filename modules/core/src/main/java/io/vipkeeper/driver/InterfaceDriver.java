package io.vipkeeper.driver;

import io.vipkeeper.model.VipAddress;
import java.util.List;

/**
 * The NIC as the core sees it. Implementations talk to the kernel; calls block and are made only
 * from the interface actor's own dispatcher. Every failure is a {@link DriverException} whose
 * message says what to fix.
 */
public interface InterfaceDriver {

  /** MAC, index and link state of {@code iface}; fails when the interface does not exist. */
  LinkInfo link(String iface);

  /** Whether {@code iface} is up with a carrier; asked every link-check-interval, so it should be cheap. */
  default boolean linkUp(String iface) {
    return link(iface).up();
  }

  /** Every address currently on {@code iface}, as the kernel reports it. */
  List<VipAddress> addresses(String iface);

  /** Every address on every interface of this host (its network namespace), to tell which are not ours. */
  List<VipAddress> hostAddresses();

  /** Adds all addresses (present ones are kept); on failure none of them stay added. */
  void add(String iface, List<VipAddress> addresses);

  /** Removes the addresses; ones already absent are fine. Fails if any remains afterwards. */
  void remove(String iface, List<VipAddress> addresses);

  /**
   * Creates macvlan {@code link} on {@code parent} with {@code mac}, brings it up and adds the
   * addresses to it; the parent stops answering ARP for addresses it does not carry itself.
   */
  void addVirtual(String parent, String link, String mac, List<VipAddress> addresses);

  /** Removes macvlan {@code link} and so its addresses; an absent link is fine. */
  void removeVirtual(String link);

  /** Whether {@code link} exists (a vmac link left by a crash, at start). */
  boolean exists(String link);
}
