package io.vipkeeper.kernel;

import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.driver.LinkInfo;
import io.vipkeeper.driver.AddressSensor;
import io.vipkeeper.pcap.FramePacer;
import io.vipkeeper.pcap.PcapAddressSensor;
import io.vipkeeper.pcap.PcapAnnouncer;
import java.util.List;

/** Opens the real drivers and checks, before anything joins a cluster, that they can work. */
public final class KernelDrivers {

  private KernelDrivers() {}

  public static Drivers open(VipKeeperSettings settings) {
    List<String> missing = Privileges.missing();
    if (!missing.isEmpty()) {
      throw new DriverException("missing capabilit" + (missing.size() > 1 ? "ies " : "y ") + String.join(" and ", missing)
          + ": run as root, or grant them (setcap cap_net_admin,cap_net_raw+ep on java, or AmbientCapabilities= in the systemd unit)");
    }
    IpRouteDriver driver = new IpRouteDriver(settings.ipCommand());
    LinkInfo link = driver.link(settings.interfaceName());
    return new Drivers(driver, PcapAnnouncer.open(link.name(), link.mac(), settings.announce().forms(),
        new FramePacer(settings.announce().maxFramesPerSecond(), settings.announce().maxBurst(), System::nanoTime)),
        settings.conflict().detect() ? new PcapAddressSensor(link.name()) : AddressSensor.NONE);
  }
}
