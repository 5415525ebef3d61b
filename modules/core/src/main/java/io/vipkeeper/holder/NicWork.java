package io.vipkeeper.holder;

import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.model.VirtualMac;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.function.Function;
import java.util.List;
import org.slf4j.Logger;
import io.vipkeeper.model.VipAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Drivers plus the interface name: the calls the interface actor makes, per group mode (garp:
 * addresses on the interface; vmac: a macvlan with the group's MAC), errors already worded.
 */
record NicWork(String iface, Drivers drivers, Logger log) {

  /** Whether the interface is up with a carrier; an unreadable link counts as down. */
  boolean linkUp() {
    try {
      return drivers.driver().linkUp(iface);
    } catch (DriverException e) {
      log.warn("cannot read the state of {}: {}", iface, e.getMessage());
      return false;
    }
  }

  /**
   * Fence first, leased until {@code leaseUntilNanos}: the kernel never holds an address it may
   * answer for unleased. An address already on the host is someone else's (this node holds none of
   * the group's, and its own leftovers went at start): refused, so its removal can never take it.
   * {@code guarded}: the fence has them already ({@link #guardAhead}). Returns how long the fence's
   * part took.
   */
  private long add(VipGroup group, long leaseUntilNanos, Set<String> onHost, boolean guarded) {
    List<String> foreign = foreign(group, onHost);
    if (!foreign.isEmpty()) throw new DriverException(notOurs(foreign, group));
    long start = System.nanoTime();
    if (!guarded) guard(group, leaseUntilNanos);
    long fence = System.nanoTime() - start;
    try {
      if (group.virtualMac()) {
        drivers.driver().addVirtual(iface, VirtualMac.linkName(group.mac()), group.mac(), group.addresses());
      } else {
        drivers.driver().add(iface, group.addresses());
      }
    } catch (DriverException e) {
      drivers.fence().unguard(group.addresses(), macs(group));
      throw e;
    }
    return fence;
  }

  /** The group's addresses, and its virtual MAC if it has one, guarded and leased until {@code untilNanos}. */
  private void guard(VipGroup group, long untilNanos) {
    Map<VipAddress, Long> until = new LinkedHashMap<>();
    group.addresses().forEach(a -> until.put(a, untilNanos));
    drivers.fence().guard(until, group.virtualMac() ? Map.of(group.mac(), untilNanos) : Map.of());
  }

  private static List<String> macs(VipGroup group) {
    return group.virtualMac() ? List.of(group.mac()) : List.of();
  }

  /**
   * {@link #add} for a batch of claims (a mass takeover): the garp groups' leases go into the fence
   * in one transaction, then each group's addresses into the kernel. Returns the groups that could
   * not be added, with why; the others are added. {@code leaseUntil} maps a group's name to its lease end;
   * the fence guards the groups named in {@code guarded} already (see {@link #guardAhead}).
   */
  Added addAll(List<VipGroup> groups, Function<String, Long> leaseUntil, Set<String> onHost, Set<String> guarded) {
    long start = System.nanoTime();
    Map<String, String> failed = new HashMap<>();
    List<VipGroup> plain = new ArrayList<>();
    long aloneFence = 0;
    for (VipGroup group : groups) {
      if (group.virtualMac() || groups.size() == 1 || guarded.contains(group.name())) {
        aloneFence += tryAdd(group, leaseUntil.apply(group.name()), onHost, failed, guarded.contains(group.name()));
        continue;
      }
      List<String> foreign = foreign(group, onHost);
      if (foreign.isEmpty()) plain.add(group);
      else failed.put(group.name(), notOurs(foreign, group));
    }
    long alone = System.nanoTime() - start; // the groups added one by one, fence and kernel
    Map<VipAddress, Long> fence = new LinkedHashMap<>();
    plain.forEach(g -> g.addresses().forEach(a -> fence.put(a, leaseUntil.apply(g.name()))));
    try {
      if (!fence.isEmpty()) drivers.fence().guard(fence);
    } catch (DriverException e) {
      // One lease ran out, or the batch failed: each group on its own, so one cannot sink the rest.
      plain.forEach(g -> tryAdd(g, leaseUntil.apply(g.name()), onHost, failed, false));
      return new Added(failed, System.nanoTime() - start, 0);
    }
    long fenced = System.nanoTime();
    for (VipGroup group : plain) {
      try {
        drivers.driver().add(iface, group.addresses());
      } catch (DriverException e) {
        unguard(group);
        failed.put(group.name(), e.getMessage());
      }
    }
    long batchFence = fenced - (start + alone);
    return new Added(failed, aloneFence + batchFence, alone - aloneFence + System.nanoTime() - fenced);
  }

  /**
   * What {@link #addAll} did: the groups it could not add (name → why), and how long the fence's
   * calls and the kernel's adds took.
   */
  record Added(Map<String, String> failed, long fenceNanos, long kernelNanos) {}

  private long tryAdd(VipGroup group, long leaseUntilNanos, Set<String> onHost, Map<String, String> failed, boolean guarded) {
    try {
      return add(group, leaseUntilNanos, onHost, guarded);
    } catch (DriverException e) {
      failed.put(group.name(), e.getMessage());
      return 0;
    }
  }

  /** The group's addresses that are on the host already: someone else's (this node holds none of the group's). */
  private static List<String> foreign(VipGroup group, Set<String> onHost) {
    return group.addresses().stream().map(VipAddress::ip).filter(onHost::contains).toList();
  }

  private static String notOurs(List<String> foreign, VipGroup group) {
    return foreign + " already on this host and not put there by vipkeeper (a node's own address,"
        + " or another tool's): refusing to claim group " + group.name() + "; remove the address or the group";
  }

  /**
   * Unfenced only once the kernel no longer has the addresses; {@code gone} runs in between: from
   * then on this host cannot answer for them, so a hand-off need not wait for the fence's call.
   */
  void remove(VipGroup group, Runnable gone) {
    if (group.virtualMac()) {
      drivers.driver().removeVirtual(VirtualMac.linkName(group.mac()));
    } else {
      drivers.driver().remove(iface, group.addresses());
    }
    gone.run();
    unguard(group);
  }

  /**
   * The target of a planned move, leased before its claim: the fence guards the group's addresses
   * now, leased until {@code leaseUntilNanos}, so the claim only adds them (the fence's call, with
   * its retries on a loaded host, is out of the clients' gap). Nothing answers for them until they
   * are added. False (logged) when the fence refused, or an address is on this host already
   * (someone else's: the claim refuses it).
   */
  boolean guardAhead(VipGroup group, long leaseUntilNanos) {
    try {
      if (!foreign(group, hostIps()).isEmpty()) return false;
      guard(group, leaseUntilNanos);
      return true;
    } catch (DriverException e) {
      log.warn("cannot guard {} ahead of its claim (the claim will): {}", group.name(), e.getMessage());
      return false;
    }
  }

  /** A group guarded ahead whose claim did not come: its addresses were never added. */
  void unguardAhead(VipGroup group) {
    unguard(group);
  }

  /** The group is gone from the kernel: a fence that cannot forget it only keeps it unanswered. */
  private void unguard(VipGroup group) {
    try {
      drivers.fence().unguard(group.addresses(), macs(group));
    } catch (DriverException e) {
      log.warn("the kernel fence still guards {} of group {} (removed from the kernel): {}", group.addresses(), group.name(), e.getMessage());
    }
  }

  /** New lease ends for held groups' addresses; a failure is logged (the old lease runs out: safe). */
  void extend(Map<VipGroup, Long> leaseUntilNanos) {
    Map<VipAddress, Long> until = new HashMap<>();
    Map<String, Long> macs = new HashMap<>();
    leaseUntilNanos.forEach((group, nanos) -> {
      group.addresses().forEach(a -> until.put(a, nanos));
      if (group.virtualMac()) macs.put(group.mac(), nanos);
    });
    try {
      drivers.fence().extend(until, macs);
    } catch (DriverException e) {
      log.error("FENCE NOT RENEWED for {}: {}: the kernel stops answering for them when their lease ends", leaseUntilNanos.keySet(), e.getMessage());
    }
  }

  /** The host's addresses now, looked at once for a batch of claims (their groups' addresses are apart). */
  Set<String> hostIps() {
    return drivers.driver().hostAddresses().stream().map(VipAddress::ip).collect(Collectors.toSet());
  }

  private List<String> foreign(List<VipAddress> addresses) {
    Set<String> onHost = hostIps();
    return addresses.stream().map(VipAddress::ip).filter(onHost::contains).toList();
  }

  /**
   * After a change, the kernel checked against what this node holds: an address of a held group
   * that vanished (removed by hand, or with another address) is added back and reported.
   */
  void restoreMissing(Collection<VipGroup> held) {
    try {
      List<VipAddress> onLink = drivers.driver().addresses(iface);
      for (VipGroup group : held) {
        if (group.virtualMac()) continue; // its own link; link removal is watched with the link state
        List<VipAddress> missing = group.addresses().stream()
            .filter(a -> onLink.stream().noneMatch(p -> p.ip().equals(a.ip()))).toList();
        if (missing.isEmpty()) continue;
        log.error("KERNEL DRIFT: {} of held group {} vanished from {}; adding them back", missing, group.name(), iface);
        drivers.driver().add(iface, missing);
      }
    } catch (DriverException e) {
      log.error("cannot check the kernel's addresses against the held groups: {}", e.getMessage());
    }
  }

  /**
   * One round for {@code addresses} of {@code group}, from its own MAC (vmac) or the interface's
   * (garp), as far as the pacing allows now; returns the addresses still to announce.
   */
  List<VipAddress> announce(VipGroup group, List<VipAddress> addresses) {
    try {
      return drivers.announcer().announce(addresses, group.mac());
    } catch (DriverException e) {
      log.warn("announcement of {} failed (the address stays claimed): {}", addresses, e.getMessage());
      return List.of();
    }
  }

  /**
   * At start this node owns nothing: its vmac links still present are leftovers. With the fence,
   * its leftover addresses went when the fence was installed, so a VIP still on the interface is
   * someone else's and left alone (claims of it are refused); without it, they are removed.
   */
  void reconcile(List<VipGroup> configured) {
    boolean addressesAreOurs = !drivers.fence().enforced();
    if (!addressesAreOurs) {
      List<String> foreign = foreign(configured.stream().filter(g -> !g.virtualMac()).flatMap(g -> g.addresses().stream()).toList());
      if (!foreign.isEmpty()) log.error("{} on this host, not put there by vipkeeper: left alone; claims of their groups are refused", foreign);
    }
    for (LeftoverVips.Removed r : LeftoverVips.remove(drivers.driver(), iface, configured, addressesAreOurs)) {
      if (r.link().isEmpty()) log.warn("removing leftover VIPs {} from {}: this node owns nothing at start", r.addresses(), iface);
      else log.warn("removing leftover {} of group {}: this node owns nothing at start", r.link(), r.group().name());
      unguard(r.group());
    }
  }

  /** A vmac group's MAC, taught to the switches (see SwitchLearningFrame); a failure is logged. */
  void teach(VipGroup group) {
    try {
      drivers.announcer().teachSwitches(group.mac());
    } catch (DriverException e) {
      log.warn("switch-learning frame from {} failed: {}", group.mac(), e.getMessage());
    }
  }

  /** {@code address} told directly to the hosts that talk to it; a failure is logged. */
  void tellNeighbours(VipGroup group, VipAddress address, List<io.vipkeeper.driver.Neighbour> hosts) {
    try {
      drivers.announcer().tellNeighbours(address, group.mac(), hosts);
      log.info("told {} host(s) directly that {} moved here", hosts.size(), address.ip());
    } catch (DriverException e) {
      log.warn("telling {} host(s) about {} failed: {}", hosts.size(), address.ip(), e.getMessage());
    }
  }
}
