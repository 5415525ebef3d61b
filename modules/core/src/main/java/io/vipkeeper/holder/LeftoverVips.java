package io.vipkeeper.holder;

import io.vipkeeper.driver.InterfaceDriver;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.model.VirtualMac;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes configured VIPs (and vmac links) still on this host: at start, when the node owns
 * nothing, and by {@code --release-all} after a killed process. One place, so both agree.
 */
public final class LeftoverVips {

  private LeftoverVips() {}

  /** What was removed of one group: its addresses on the interface, or its vmac link. */
  public record Removed(VipGroup group, List<VipAddress> addresses, String link) {}

  /** Removes what is present; the caller words the log. */
  public static List<Removed> remove(InterfaceDriver driver, String iface, List<VipGroup> configured) {
    return remove(driver, iface, configured, true);
  }

  /** As above; addresses on {@code iface} only when {@code addressesToo} (vmac links are always ours, by name). */
  public static List<Removed> remove(InterfaceDriver driver, String iface, List<VipGroup> configured, boolean addressesToo) {
    List<VipAddress> present = driver.addresses(iface);
    List<Removed> removed = new ArrayList<>();
    for (VipGroup group : configured) {
      if (group.virtualMac()) {
        String link = VirtualMac.linkName(group.mac());
        if (!driver.exists(link)) continue;
        driver.removeVirtual(link);
        removed.add(new Removed(group, group.addresses(), link));
        continue;
      }
      if (!addressesToo) continue;
      List<VipAddress> held = group.addresses().stream().filter(vip -> present.stream().anyMatch(p -> p.ip().equals(vip.ip()))).toList();
      if (held.isEmpty()) continue;
      driver.remove(iface, held);
      removed.add(new Removed(group, held, ""));
    }
    return removed;
  }
}
