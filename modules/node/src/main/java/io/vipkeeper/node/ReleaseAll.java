package io.vipkeeper.node;

import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.kernel.IpRouteDriver;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.model.VirtualMac;
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
    IpRouteDriver driver = new IpRouteDriver(settings.ipCommand());
    List<VipAddress> present = driver.addresses(settings.interfaceName());
    for (VipGroup group : settings.groups()) {
      if (group.virtualMac()) {
        String link = VirtualMac.linkName(group.mac());
        if (driver.exists(link)) {
          driver.removeVirtual(link);
          log.info("RELEASED group={} ({} removed) by --release-all", group.name(), link);
        }
        continue;
      }
      List<VipAddress> held = group.addresses().stream().filter(v -> present.stream().anyMatch(p -> p.ip().equals(v.ip()))).toList();
      if (held.isEmpty()) continue;
      driver.remove(settings.interfaceName(), held);
      log.info("RELEASED group={} addresses={} from {} by --release-all", group.name(), held, settings.interfaceName());
    }
  }
}
