package io.vipkeeper.node;

import com.typesafe.config.Config;
import io.vipkeeper.config.SettingsException;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.InterfaceDriver;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.config.SafetyTiming;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the daemon checks before it joins: settings that make sense, VIPs on the right subnet. */
final class StartupChecks {

  private static final Logger log = LoggerFactory.getLogger(StartupChecks.class);

  private StartupChecks() {}

  static VipKeeperSettings settings(Config config) {
    VipKeeperSettings settings = VipKeeperSettings.create(config);
    SafetyTiming.check(config);
    TlsCheck.check(config);
    Quorum.of(config);
    checkHttps(config);
    refuseOwnAddress(settings, config.getString("pekko.remote.artery.canonical.hostname"));
    if (settings.groups().isEmpty() && !settings.witness()) {
      log.warn("no VIP group in the config: this node holds only groups added at run time (POST /vips,"
          + " bin/vipkeeper add); set VIPKEEPER_VIPS or vipkeeper.groups.<name>.addresses to configure one");
    }
    return settings;
  }

  /** A VIP is never the node's own (cluster) address: releasing it would cut the node off. */
  private static void refuseOwnAddress(VipKeeperSettings settings, String clusterHost) {
    List<String> problems = settings.groups().stream().flatMap(g -> g.addresses().stream()
        .filter(a -> a.ip().equals(clusterHost))
        .map(a -> "vipkeeper.groups." + g.name() + ": " + a.ip() + " is this node's own cluster address"
            + " (pekko.remote.artery.canonical.hostname); a VIP must be an address no host has")).toList();
    if (!problems.isEmpty()) throw new SettingsException(problems);
  }

  /** HTTPS for the management API needs the node's key store: say which file is wrong before starting. */
  private static void checkHttps(Config config) {
    if (config.getBoolean("vipkeeper.http.https")) TlsContexts.server(config);
  }

  /** A VIP outside every subnet of the interface is reachable only with extra routes: warn. */
  static void warnAboutSubnets(VipKeeperSettings settings, InterfaceDriver driver) {
    List<VipAddress> own = driver.addresses(settings.interfaceName());
    for (VipAddress vip : settings.allAddresses()) {
      boolean inSubnet = own.stream().anyMatch(a -> !settings.allAddresses().contains(a) && a.sameSubnet(vip.inet()));
      if (!inSubnet) {
        log.warn("VIP {} is outside every subnet on {} ({}); clients on the LAN will not reach it without a route",
            vip, settings.interfaceName(), own);
      }
    }
  }
}
