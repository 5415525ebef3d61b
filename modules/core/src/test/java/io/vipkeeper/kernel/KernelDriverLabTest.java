package io.vipkeeper.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.LinkInfo;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.pcap.GratuitousArp;
import io.vipkeeper.pcap.PcapAnnouncer;
import io.vipkeeper.lab.Lab;
import java.util.ArrayList;
import java.util.List;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.Packet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.vipkeeper.model.VirtualMac;

/** The real drivers in a real namespace lab: kernel address changes and G-ARP on a real bridge. */
class KernelDriverLabTest {

  private static final VipAddress VIP = VipAddress.parse("198.18.0.50/24");
  private static Lab lab;

  @BeforeAll
  static void up() {
    assumeTrue(Lab.canRun(), "needs root and iproute2 to build a namespace lab; run the tests as root");
    lab = Lab.up(Lab.prefix("vkk"), 2, 1);
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  @Test
  void addsAnnouncesAndRemovesTheVipForReal() throws Exception {
    // The client knows the VIP at some other MAC (a previous holder); G-ARP must move it.
    lab.exec("c1", "ip", "neigh", "replace", "198.18.0.50", "lladdr", "02:18:00:00:00:99", "dev", "eth0", "nud", "stale");
    IpRouteDriver driver = new IpRouteDriver("ip");
    LinkInfo link = lab.inside("n1", () -> driver.link("eth0"));
    assertEquals("02:18:00:00:00:0b", link.mac());
    assertTrue(link.up());

    long frames = lab.inside("n1", () -> {
      try (PcapAnnouncer announcer = PcapAnnouncer.open("eth0", link.mac(), List.of(GratuitousArp.Form.REQUEST, GratuitousArp.Form.REPLY))) {
        driver.add("eth0", List.of(VIP));
        announcer.announce(List.of(VIP), "");
        return announcer.framesSent();
      }
    });
    assertEquals(2, frames);
    String onNode = lab.exec("n1", "ip", "-o", "addr", "show", "dev", "eth0");
    assertTrue(onNode.contains("inet 198.18.0.50/24"), onNode);
    assertTrue(lab.inside("n1", () -> driver.addresses("eth0")).contains(VIP));
    String neigh = awaitNeighbour("02:18:00:00:00:0b");
    assertTrue(neigh.contains("lladdr 02:18:00:00:00:0b"), "client's entry moved to the claiming MAC: " + neigh);

    lab.inside("n1", () -> { driver.remove("eth0", List.of(VIP)); driver.remove("eth0", List.of(VIP)); return null; });
    String after = lab.exec("n1", "ip", "-o", "addr", "show", "dev", "eth0");
    assertFalse(after.contains("198.18.0.50"), after);
    assertTrue(after.contains("198.18.0.11/24"), "the node's own address stays: " + after);
  }

  @Test
  void anIpv6VipMovesTheClientsNeighbourEntryByAdvertisement() throws Exception {
    VipAddress vip6 = VipAddress.parse("2001:db8:18::50/64");
    lab.exec("c1", "ip", "-6", "neigh", "replace", "2001:db8:18::50", "lladdr", "02:18:00:00:00:99", "dev", "eth0", "nud", "stale");
    IpRouteDriver driver = new IpRouteDriver("ip");
    String mac = lab.inside("n1", () -> driver.link("eth0")).mac();
    lab.inside("n1", () -> {
      try (PcapAnnouncer announcer = PcapAnnouncer.open("eth0", mac, List.of(GratuitousArp.Form.REQUEST))) {
        driver.add("eth0", List.of(vip6));
        announcer.announce(List.of(vip6), "");
      }
      return null;
    });
    String onNode = lab.exec("n1", "ip", "-o", "-6", "addr", "show", "dev", "eth0");
    assertTrue(onNode.contains("2001:db8:18::50/64"), onNode);
    assertFalse(onNode.contains("tentative"), "added without waiting for DAD: " + onNode);
    String neigh = "";
    for (int i = 0; i < 40 && !neigh.contains(mac); i++) {
      neigh = lab.exec("c1", "ip", "-6", "neigh", "show", "2001:db8:18::50", "dev", "eth0");
      Thread.sleep(50);
    }
    assertTrue(neigh.contains("lladdr " + mac), "client's IPv6 entry moved to the claiming MAC: " + neigh);
    lab.inside("n1", () -> { driver.remove("eth0", List.of(vip6)); return null; });
    assertFalse(lab.exec("n1", "ip", "-o", "-6", "addr", "show", "dev", "eth0").contains("2001:db8:18::50/"));
  }

  /**
   * Each form alone must move a client's entry, also one updated a moment ago (within Linux's
   * 1 s locktime): the kernel applies such an update only to frames it takes as gratuitous.
   */
  @Test
  void eachFormAloneMovesAnEntryUpdatedAMomentAgo() throws Exception {
    IpRouteDriver driver = new IpRouteDriver("ip");
    String mac = lab.inside("n1", () -> driver.link("eth0")).mac();
    lab.inside("n1", () -> { driver.add("eth0", List.of(VIP)); return null; });
    try {
      for (GratuitousArp.Form form : GratuitousArp.Form.values()) {
        try (PcapAnnouncer announcer = lab.inside("n1", () -> PcapAnnouncer.open("eth0", mac, List.of(form)))) {
          lab.exec("c1", "ip", "neigh", "replace", "198.18.0.50", "lladdr", "02:18:00:00:00:99", "dev", "eth0", "nud", "reachable");
          announcer.announce(List.of(VIP), "");
          String neigh = awaitNeighbour(mac);
          assertTrue(neigh.contains("lladdr " + mac), form + " alone did not move a fresh entry: " + neigh);
        }
      }
    } finally {
      lab.inside("n1", () -> { driver.remove("eth0", List.of(VIP)); return null; });
    }
  }

  /** vmac mode's point: the client's entry never changes, only the switch learns a new port. */
  @Test
  void aVirtualMacMovesBetweenNodesAndTheBridgeFollows() throws Exception {
    String vmac = "00:00:5e:00:01:32";
    String link = VirtualMac.linkName(vmac);
    IpRouteDriver driver = new IpRouteDriver("ip");
    for (String node : List.of("n1", "n2")) {
      lab.inside(node, () -> {
        String own = driver.link("eth0").mac();
        try (PcapAnnouncer announcer = PcapAnnouncer.open("eth0", own, List.of(GratuitousArp.Form.REQUEST, GratuitousArp.Form.REPLY))) {
          for (String other : List.of("n1", "n2")) if (!other.equals(node)) lab.inside(other, () -> { driver.removeVirtual(link); return null; });
          driver.addVirtual("eth0", link, vmac, List.of(VIP));
          announcer.announce(List.of(VIP), vmac);
        }
        return null;
      });
      lab.exec("c1", "ping", "-c", "1", "-W", "2", "198.18.0.50");
      String neigh = lab.exec("c1", "ip", "neigh", "show", "198.18.0.50", "dev", "eth0");
      assertTrue(neigh.contains("lladdr " + vmac), "the client talks to the virtual MAC: " + neigh);
      String fdb = lab.exec("sw", "bridge", "fdb", "show", "br", "br0");
      assertTrue(fdb.lines().anyMatch(l -> l.startsWith(vmac + " dev " + node + " ")), "the bridge learned " + vmac + " on " + node + ": " + fdb);
      assertTrue(lab.exec(node, "ip", "-o", "addr", "show", "dev", link).contains("198.18.0.50/24"));
      assertEquals("1", lab.exec(node, "cat", "/proc/sys/net/ipv4/conf/eth0/arp_ignore").trim(), "the parent stops answering for the VIP");
    }
    lab.inside("n2", () -> { driver.removeVirtual(link); return null; });
    assertFalse(lab.inside("n2", () -> driver.exists(link)), "release removes the macvlan");
  }

  /**
   * A virtual link sends nothing from its MAC by itself. With a link-local address it sent DAD, MLD
   * and router solicitations (at 1, 5, 13, 29 s... after it came up), so a link left by a killed
   * JVM pulled the switch's port for the MAC back from the new holder.
   */
  @Test
  void aVirtualLinkSendsNothingFromItsMacByItself() throws Exception {
    String vmac = "00:00:5e:00:01:33";
    String link = VirtualMac.linkName(vmac);
    IpRouteDriver driver = new IpRouteDriver("ip");
    try (PcapHandle port = lab.inside("sw", () -> Pcaps.getDevByName("n1").openLive(128, PromiscuousMode.PROMISCUOUS, 100))) {
      port.setFilter("ether src " + vmac, BpfProgram.BpfCompileMode.OPTIMIZE);
      port.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING); // a blocking read waits for a frame, timeout or not
      lab.inside("n1", () -> { driver.addVirtual("eth0", link, vmac, List.of(VIP)); return null; });
      List<String> seen = new ArrayList<>();
      long end = System.nanoTime() + 2_500_000_000L; // the first solicitation came after 1.8 s
      while (System.nanoTime() < end) {
        Packet frame = port.getNextPacket();
        if (frame == null) Thread.sleep(10);
        else seen.add(frame.toString().lines().filter(l -> l.contains("Type") || l.contains("Destination address")).toList().toString());
      }
      assertEquals(List.of(), seen, "frames the link sent from " + vmac + " by itself");
    } finally {
      lab.inside("n1", () -> { driver.removeVirtual(link); return null; });
    }
  }

  /** The in-process rtnetlink path: what it adds, lists and removes is what iproute2 sees. */
  @Test
  void rtnetlinkAddsListsAndRemovesAsIproute2SeesIt() throws Exception {
    VipAddress vip6 = VipAddress.parse("2001:db8:18::51/64");
    VipAddress other = VipAddress.parse("198.18.0.52/24");
    lab.inside("n1", () -> {
      try (RtnetlinkDriver driver = new RtnetlinkDriver(new IpRouteDriver("ip"))) {
        driver.add("eth0", List.of(VIP, vip6, other));
        driver.add("eth0", List.of(VIP)); // present already: kept, no error
        String onNode = lab.exec("n1", "ip", "-o", "addr", "show", "dev", "eth0");
        assertTrue(onNode.contains("inet 198.18.0.50/24") && onNode.contains("inet 198.18.0.52/24"), onNode);
        assertTrue(onNode.contains("inet6 2001:db8:18::51/64") && !onNode.contains("tentative"), "added without DAD: " + onNode);
        assertEquals(Set.copyOf(new IpRouteDriver("ip").addresses("eth0")), Set.copyOf(driver.addresses("eth0")),
            "the same addresses as ip lists");
        assertTrue(driver.hostAddresses().contains(new VipAddress("127.0.0.1", 8)), driver.hostAddresses().toString());
        driver.remove("eth0", List.of(VIP, vip6));
        driver.remove("eth0", List.of(VIP, vip6)); // absent already: no error
        String after = lab.exec("n1", "ip", "-o", "addr", "show", "dev", "eth0");
        assertFalse(after.contains("198.18.0.50") || after.contains("2001:db8:18::51"), after);
        assertTrue(after.contains("198.18.0.52/24") && after.contains("198.18.0.11/24"), "the other addresses stay: " + after);
        driver.remove("eth0", List.of(other));
        DriverException unknown = assertThrows(DriverException.class, () -> driver.add("nope0", List.of(VIP)));
        assertTrue(unknown.getMessage().contains("interface 'nope0' does not exist"), unknown.getMessage());
      }
      return null;
    });
  }

  @Test
  void unknownInterfaceSaysWhatToFix() throws Exception {
    IpRouteDriver driver = new IpRouteDriver("ip");
    DriverException e = assertThrows(DriverException.class, () -> lab.inside("n1", () -> driver.link("nope0")));
    assertTrue(e.getMessage().contains("interface 'nope0' does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("VIPKEEPER_INTERFACE"), e.getMessage());
    DriverException pcap = assertThrows(DriverException.class,
        () -> lab.inside("n1", () -> PcapAnnouncer.open("nope0", "02:18:00:00:00:0b", List.of(GratuitousArp.Form.REQUEST))));
    assertTrue(pcap.getMessage().contains("nope0"), pcap.getMessage());
  }

  @Test
  void missingIpCommandIsReportedClearly() {
    DriverException e = assertThrows(DriverException.class, () -> new IpRouteDriver("/nonexistent/ip").link("eth0"));
    assertTrue(e.getMessage().contains("install iproute2"), e.getMessage());
  }

  private static String awaitNeighbour(String mac) throws InterruptedException {
    String neigh = "";
    for (int i = 0; i < 40 && !neigh.contains(mac); i++) {
      neigh = lab.exec("c1", "ip", "neigh", "show", "198.18.0.50", "dev", "eth0");
      Thread.sleep(50);
    }
    return neigh;
  }
}
