package io.vipkeeper.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.InterfaceDriver;
import io.vipkeeper.driver.LinkInfo;
import io.vipkeeper.model.VipAddress;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link InterfaceDriver} over iproute2: JSON output ({@code ip -j}) to read, one {@code ip -batch}
 * process per change so a group of many addresses costs one fork, not one per address.
 */
public final class IpRouteDriver implements InterfaceDriver {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final IpCommand ip;

  public IpRouteDriver(String ipExecutable) {
    this.ip = new IpCommand(ipExecutable);
  }

  @Override
  public LinkInfo link(String iface) {
    IpCommand.Result result = ip.run(List.of("-j", "link", "show", "dev", iface));
    if (!result.ok()) {
      throw new DriverException(
          "interface '" + iface + "' does not exist (" + result.err() + "); set vipkeeper.interface"
              + " or VIPKEEPER_INTERFACE to one listed by 'ip link'");
    }
    JsonNode link = parse(result.out()).path(0);
    List<String> flags = new ArrayList<>();
    link.path("flags").forEach(flag -> flags.add(flag.asText()));
    return new LinkInfo(
        link.path("ifname").asText(iface),
        link.path("ifindex").asInt(),
        link.path("address").asText("").toLowerCase(),
        flags.contains("UP") && flags.contains("LOWER_UP"));
  }

  /**
   * Read from sysfs (the network namespace's own, as ip netns exec and containers mount it): the
   * check runs twice a second, and forking ip that often cost measurable idle CPU.
   */
  @Override
  public boolean linkUp(String iface) {
    Path dev = Path.of("/sys/class/net", iface);
    if (!sysfsShows(iface, dev)) return link(iface).up();
    try {
      boolean adminUp = (Integer.decode(Files.readString(dev.resolve("flags")).trim()) & 0x1) != 0;
      return adminUp && Files.readString(dev.resolve("carrier")).trim().equals("1");
    } catch (IOException | NumberFormatException e) {
      return false; // carrier cannot be read while the interface is down
    }
  }

  /**
   * Whether this process's /sys shows the interface ip sees (same ifindex): a thread moved into
   * another network namespace with setns(2) keeps the old sysfs mount. Decided once per interface.
   */
  private boolean sysfsShows(String iface, Path dev) {
    return sysfsMatches.computeIfAbsent(iface, i -> {
      try {
        return Files.isDirectory(dev) && Integer.parseInt(Files.readString(dev.resolve("ifindex")).trim()) == link(i).index();
      } catch (IOException | NumberFormatException e) {
        return false;
      }
    });
  }

  private final Map<String, Boolean> sysfsMatches = new ConcurrentHashMap<>();

  @Override
  public List<VipAddress> addresses(String iface) {
    IpCommand.Result result = ip.run(List.of("-j", "address", "show", "dev", iface));
    if (!result.ok()) {
      throw new DriverException("cannot list addresses of '" + iface + "': " + result.err());
    }
    List<VipAddress> found = new ArrayList<>();
    for (JsonNode info : parse(result.out()).path(0).path("addr_info")) {
      found.add(new VipAddress(info.path("local").asText(), info.path("prefixlen").asInt()));
    }
    return found;
  }

  @Override
  public List<VipAddress> hostAddresses() {
    IpCommand.Result result = ip.run(List.of("-j", "address", "show"));
    if (!result.ok()) throw new DriverException("cannot list this host's addresses: " + result.err());
    List<VipAddress> found = new ArrayList<>();
    for (JsonNode link : parse(result.out())) {
      for (JsonNode info : link.path("addr_info")) {
        try {
          found.add(new VipAddress(info.path("local").asText(), info.path("prefixlen").asInt()));
        } catch (IllegalArgumentException e) {
          // Not an address a VIP could be (e.g. a /0 peer entry): it cannot clash with one.
        }
      }
    }
    return found;
  }

  /**
   * promote_secondaries on {@code iface}: removing the address the kernel counts as primary in a
   * subnet then keeps the other addresses of that subnet (without it, one group's release took
   * every other group's addresses in the subnet with it).
   */
  public void keepSecondariesOnRemoval(String iface) {
    sysctl(iface, "promote_secondaries", "1");
  }

  @Override
  public void add(String iface, List<VipAddress> addresses) {
    StringBuilder batch = new StringBuilder();
    for (VipAddress address : addresses) {
      // replace = add without EEXIST; nodad because the cluster, not DAD, decides the owner.
      batch.append("address replace ").append(address.cidr()).append(" dev ").append(iface);
      batch.append(address.isIpv6() ? " nodad\n" : "\n");
    }
    IpCommand.Result result = ip.run(List.of("-batch", "-"), batch.toString());
    if (!result.ok()) {
      removeQuietly(iface, addresses);
      throw new DriverException(
          "cannot add " + addresses + " to '" + iface + "': " + result.err()
              + permissionHint(result.err()));
    }
  }

  @Override
  public void remove(String iface, List<VipAddress> addresses) {
    List<VipAddress> present = presentOf(iface, addresses);
    if (present.isEmpty()) return;
    StringBuilder batch = new StringBuilder();
    for (VipAddress address : present) {
      batch.append("address del ").append(address.cidr()).append(" dev ").append(iface).append('\n');
    }
    IpCommand.Result result = ip.run(List.of("-force", "-batch", "-"), batch.toString());
    List<VipAddress> left = presentOf(iface, addresses);
    if (!left.isEmpty()) {
      throw new DriverException(
          "cannot remove " + left + " from '" + iface + "': " + result.err()
              + permissionHint(result.err()));
    }
  }

  @Override
  public void addVirtual(String parent, String link, String mac, List<VipAddress> addresses) {
    arpForVirtualMac(parent);
    removeVirtual(link);
    StringBuilder batch = new StringBuilder();
    batch.append("link add link ").append(parent).append(" name ").append(link)
        .append(" address ").append(mac).append(" type macvlan mode bridge\n");
    // No link-local address: it sends DAD, MLD and router solicitations from the virtual MAC, the
    // solicitations for hours, and a link left by a killed JVM pulls the switch's port back.
    batch.append("link set ").append(link).append(" addrgenmode none\n");
    batch.append("link set ").append(link).append(" up\n");
    for (VipAddress address : addresses) {
      batch.append("address replace ").append(address.cidr()).append(" dev ").append(link);
      batch.append(address.isIpv6() ? " nodad\n" : "\n");
    }
    IpCommand.Result result = ip.run(List.of("-batch", "-"), batch.toString());
    if (!result.ok()) {
      removeVirtual(link);
      throw new DriverException("cannot create " + link + " (" + mac + ") on '" + parent + "' with " + addresses + ": "
          + result.err() + permissionHint(result.err()));
    }
  }

  @Override
  public void removeVirtual(String link) {
    if (!exists(link)) return;
    IpCommand.Result result = ip.run(List.of("link", "del", link));
    if (!result.ok() && exists(link)) {
      throw new DriverException("cannot remove " + link + ": " + result.err() + permissionHint(result.err()));
    }
  }

  @Override
  public boolean exists(String link) {
    return ip.run(List.of("link", "show", "dev", link)).ok();
  }

  /**
   * On the parent: arp_ignore=1, so it answers ARP only for its own addresses (not the macvlan's
   * VIP), and arp_announce=2, so its own ARP requests (sent when a reply from the VIP leaves
   * through it) name its own address and do not teach clients the physical MAC for the VIP.
   */
  private static void arpForVirtualMac(String parent) {
    sysctl(parent, "arp_ignore", "1");
    sysctl(parent, "arp_announce", "2");
  }

  private static void sysctl(String iface, String key, String value) {
    Path path = Path.of("/proc/sys/net/ipv4/conf", iface, key);
    try {
      if (Files.readString(path).trim().equals(value)) return;
      Files.writeString(path, value);
      LoggerFactory.getLogger(IpRouteDriver.class).info("set net.ipv4.conf.{}.{}={}", iface, key, value);
    } catch (IOException e) {
      throw new DriverException("cannot set " + path + " to " + value + " (" + e.getMessage() + "); vipkeeper needs it"
          + " (run as root or with CAP_NET_ADMIN, /proc/sys writable)", e);
    }
  }

  private List<VipAddress> presentOf(String iface, List<VipAddress> wanted) {
    List<VipAddress> onLink = addresses(iface);
    List<VipAddress> present = new ArrayList<>();
    for (VipAddress address : wanted) {
      if (onLink.stream().anyMatch(a -> a.ip().equals(address.ip()))) present.add(address);
    }
    return present;
  }

  private void removeQuietly(String iface, List<VipAddress> addresses) {
    try {
      remove(iface, addresses);
    } catch (DriverException ignored) {
      // The add already failed; its error is the one worth reporting.
    }
  }

  private static String permissionHint(String err) {
    return err.contains("Operation not permitted")
        ? " (run as root or grant CAP_NET_ADMIN)"
        : "";
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json.isBlank() ? "[]" : json);
    } catch (Exception e) {
      throw new DriverException("cannot read the output of 'ip -j': " + e.getMessage(), e);
    }
  }
}
