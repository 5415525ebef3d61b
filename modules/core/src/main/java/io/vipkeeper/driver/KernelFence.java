package io.vipkeeper.driver;

import io.vipkeeper.model.VipAddress;
import java.util.List;
import java.util.Map;

/**
 * The lease enforced by the kernel, not the JVM: a guarded address is neither answered for (ARP,
 * Neighbor Advertisement) nor sent from nor received on this host unless it is leased, and a lease
 * runs out in the kernel on its own, so a killed, frozen or starved JVM stops answering for its
 * VIPs when its lease ends. Calls come from the interface actor only.
 */
public interface KernelFence extends AutoCloseable {

  /** No fence: for fakes and for {@code vipkeeper.kernel.fence = off}. */
  KernelFence NONE = new KernelFence() {
    @Override
    public void guard(Map<VipAddress, Long> untilNanos, Map<String, Long> macUntilNanos) {}

    @Override
    public void extend(Map<VipAddress, Long> untilNanos, Map<String, Long> macUntilNanos) {}

    @Override
    public void unguard(List<VipAddress> addresses, List<String> macs) {}

    @Override
    public void close() {}

    @Override
    public boolean enforced() {
      return false;
    }
  };

  /**
   * Whether this fence marks what vipkeeper put in the kernel (across a crash: a new install
   * removes what an old run guarded), so an address found on the host otherwise is someone else's.
   */
  default boolean enforced() {
    return true;
  }

  /**
   * Guards {@code addresses} and leases them until {@code untilNanos} ({@link System#nanoTime()}
   * clock), in one step, before they are added to the kernel. Fails if the lease has run out.
   */
  default void guard(List<VipAddress> addresses, long untilNanos) {
    Map<VipAddress, Long> until = new java.util.LinkedHashMap<>();
    addresses.forEach(a -> until.put(a, untilNanos));
    guard(until);
  }

  /** {@link #guard(List, long)} for addresses with leases of their own, in one step (a batch of claims). */
  default void guard(Map<VipAddress, Long> untilNanos) {
    guard(untilNanos, Map.of());
  }

  /**
   * {@link #guard(Map)} with virtual MACs ({@code macUntilNanos}, a vmac group's MAC with its lease):
   * every frame sent from an unleased one is dropped, whatever its link sends (MLD reports,
   * solicitations), so a dead JVM's link never pulls the MAC to its switch port.
   */
  void guard(Map<VipAddress, Long> untilNanos, Map<String, Long> macUntilNanos);

  /** Moves each address's lease end to its {@code untilNanos}; never later than that. */
  default void extend(Map<VipAddress, Long> untilNanos) {
    extend(untilNanos, Map.of());
  }

  /** {@link #extend(Map)} with virtual MACs. */
  void extend(Map<VipAddress, Long> untilNanos, Map<String, Long> macUntilNanos);

  /** Forgets {@code addresses}: they were removed from the kernel. */
  default void unguard(List<VipAddress> addresses) {
    unguard(addresses, List.of());
  }

  /** {@link #unguard(List)} with virtual MACs. */
  void unguard(List<VipAddress> addresses, List<String> macs);

  /** Removes the fence if it guards nothing (a clean stop); a guarded address stays fenced. */
  @Override
  void close();
}
