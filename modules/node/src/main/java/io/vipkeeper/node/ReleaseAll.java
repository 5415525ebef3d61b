package io.vipkeeper.node;

import io.vipkeeper.holder.LeftoverVips;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.kernel.InterfaceLock;
import io.vipkeeper.kernel.IpRouteDriver;
import io.vipkeeper.kernel.NftablesFence;
import io.vipkeeper.model.VipAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --release-all}: removes every configured VIP (and vmac link) from this host, without
 * joining anything. A process killed with SIGKILL cannot release; the systemd unit runs this as
 * ExecStopPost so the addresses leave with the process, not only at the next start.
 */
final class ReleaseAll {

  private static final Logger log = LoggerFactory.getLogger(ReleaseAll.class);

  private ReleaseAll() {}

  static void run(VipKeeperSettings settings) {
    InterfaceLock.hold(settings.interfaceName()); // refused while a node keeps VIPs there: its shutdown releases them
    IpRouteDriver driver = new IpRouteDriver(settings.ipCommand());
    for (LeftoverVips.Removed r : LeftoverVips.remove(driver, settings.interfaceName(), settings.groups())) {
      if (r.link().isEmpty()) {
        log.info("RELEASED group={} addresses={} from {} by --release-all", r.group().name(), r.addresses(), settings.interfaceName());
      } else {
        log.info("RELEASED group={} ({} removed) by --release-all", r.group().name(), r.link());
      }
    }
    if (settings.kernelFence()) removeFence(driver, settings.interfaceName());
  }

  /** What the fence still guards was put there by vipkeeper: remove it from the kernel, then the fence. */
  private static void removeFence(IpRouteDriver driver, String iface) {
    List<String> guarded = NftablesFence.guarded(iface);
    List<VipAddress> present = driver.addresses(iface).stream().filter(a -> guarded.contains(a.ip())).toList();
    if (!present.isEmpty()) {
      driver.remove(iface, present);
      log.info("RELEASED addresses={} (guarded by the kernel fence) from {} by --release-all", present, iface);
    }
    NftablesFence.remove(iface);
    log.info("removed the kernel fence of {}", iface);
  }
}
