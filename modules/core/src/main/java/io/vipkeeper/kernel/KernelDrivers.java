package io.vipkeeper.kernel;

import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.AddressSensor;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.InterfaceDriver;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.driver.KernelFence;
import io.vipkeeper.driver.LinkInfo;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.pcap.FramePacer;
import io.vipkeeper.pcap.PcapAddressSensor;
import io.vipkeeper.pcap.PcapAnnouncer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the real drivers and checks, before anything joins a cluster, that they can work. */
public final class KernelDrivers {

  private static final Logger log = LoggerFactory.getLogger(KernelDrivers.class);

  private KernelDrivers() {}

  public static Drivers open(VipKeeperSettings settings) {
    List<String> missing = Privileges.missing();
    if (!missing.isEmpty()) {
      throw new DriverException("missing capabilit" + (missing.size() > 1 ? "ies " : "y ") + String.join(" and ", missing)
          + ": run as root, or grant them (setcap cap_net_admin,cap_net_raw+ep on java, or AmbientCapabilities= in the systemd unit)");
    }
    IpRouteDriver ip = new IpRouteDriver(settings.ipCommand());
    LinkInfo link = ip.link(settings.interfaceName());
    InterfaceLock.hold(link.name()); // before the fence's install and the leftover removal below
    ip.keepSecondariesOnRemoval(link.name());
    InterfaceDriver driver = settings.rtnetlink() ? new RtnetlinkDriver(ip) : ip;
    KernelFence fence = settings.kernelFence() ? fence(driver, link.name()) : KernelFence.NONE;
    if (!settings.kernelFence()) {
      log.warn("UNFENCED: vipkeeper.kernel.fence = off; a killed or frozen JVM leaves its kernel answering for its VIPs");
    }
    PcapAnnouncer announcer = PcapAnnouncer.open(link.name(), link.mac(), settings.announce().forms(),
        new FramePacer(settings.announce().maxFramesPerSecond(), settings.announce().maxBurst(), System::nanoTime));
    settings.groups().forEach(g -> announcer.prebuild(g.addresses(), g.virtualMac() ? g.mac() : ""));
    return new Drivers(driver, announcer,
        settings.conflict().detect() ? new PcapAddressSensor(link.name()) : AddressSensor.NONE, fence);
  }

  /**
   * Installs the fence. Addresses a previous run guarded were put there by vipkeeper: the ones
   * still on the interface are removed (they stayed fenced meanwhile), as the start-up reconcile does.
   */
  private static KernelFence fence(InterfaceDriver driver, String iface) {
    NftablesFence.Installed installed = NftablesFence.install(iface);
    List<VipAddress> present = driver.addresses(iface).stream().filter(a -> installed.leftovers().contains(a.ip())).toList();
    if (!present.isEmpty()) {
      log.warn("removing leftover VIPs {} from {}: a previous run put them there (fenced since its lease ran out)", present, iface);
      driver.remove(iface, present);
      installed.fence().unguard(present);
    }
    return installed.fence();
  }
}
