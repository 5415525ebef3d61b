package io.vipkeeper.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vipkeeper.driver.DriverException;
import io.vipkeeper.lab.Lab;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.pcap.GratuitousArp;
import io.vipkeeper.pcap.PcapAnnouncer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kernel fence on a real kernel: while leased, the node's kernel answers ARP, NS and pings for
 * the VIP; once the lease ran out (no JVM involved) it answers none of them, drops traffic to the
 * VIP and drops pcap's announcements too; a new install keeps what an earlier run guarded fenced.
 * A renewal stalled between reading the clock and its transaction never sets a lease past its end.
 * A virtual MAC whose lease ran out sends nothing at all, not even from an address the fence does
 * not guard.
 */
class NftablesFenceLabTest {

  private static final VipAddress V4 = VipAddress.parse("198.18.0.50/24");
  private static final VipAddress V6 = VipAddress.parse("2001:db8:18::50/64");
  private static final String N1_MAC = "02:18:00:00:00:0b";
  private static Lab lab;

  @BeforeAll
  static void up() {
    assumeTrue(Lab.canRun(), "needs root and iproute2 to build a namespace lab; run the tests as root");
    lab = Lab.up(Lab.prefix("vkf"), 1, 1);
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  @Test
  void aLeaseThatRunsOutSilencesTheKernelWithoutTheJvm() throws Exception {
    IpRouteDriver driver = new IpRouteDriver("ip");
    NftablesFence fence = lab.inside("n1", () -> {
      NftablesFence.Installed installed = NftablesFence.install("eth0");
      assertEquals(List.of(), installed.leftovers());
      String sets = lab.exec("n1", "nft", "list", "set", "netdev", "vipkeeper_eth0", "vips4")
          + lab.exec("n1", "nft", "list", "set", "netdev", "vipkeeper_eth0", "leased4");
      assertFalse(sets.contains("elements"), "the warm-up at install leaves nothing in the fence: " + sets);
      installed.fence().guard(List.of(V4, V6), System.nanoTime() + 600_000_000L);
      driver.add("eth0", List.of(V4, V6));
      return installed.fence();
    });
    assertTrue(answers("198.18.0.50"), "leased: the node answers ARP and ping for the VIP");
    assertEquals(N1_MAC, clientEntry("198.18.0.50"));
    assertTrue(answers("2001:db8:18::50"), "leased: the node answers NS and ping6 for the VIP");

    // Renewals keep it answering past the first lease's end.
    for (int i = 0; i < 6; i++) {
      lab.inside("n1", () -> { fence.extend(Map.of(V4, System.nanoTime() + 300_000_000L, V6, System.nanoTime() + 300_000_000L)); return null; });
      Thread.sleep(150);
    }
    assertTrue(answers("198.18.0.50"), "renewed: still answering 900 ms after the first lease began");

    Thread.sleep(400); // no renewal: the lease ends in the kernel
    String onNode = lab.exec("n1", "ip", "-o", "addr", "show", "dev", "eth0");
    assertTrue(onNode.contains("198.18.0.50/24"), "the address is still in the kernel (as after a kill -9): " + onNode);
    assertFalse(answers("198.18.0.50"), "lease over: no ARP answer, no ping answer");
    assertEquals("", clientEntry("198.18.0.50"), "no MAC learned for the VIP");
    assertFalse(answers("2001:db8:18::50"), "lease over: no NA, no ping6 answer");
    lab.exec("c1", "ip", "neigh", "replace", "198.18.0.50", "lladdr", N1_MAC, "dev", "eth0", "nud", "permanent");
    assertFalse(pings("198.18.0.50"), "traffic to the VIP is dropped even when the client knows the MAC");

    // A resumed JVM's announcement is dropped at the interface's egress too.
    lab.exec("c1", "ip", "neigh", "replace", "198.18.0.50", "lladdr", "02:18:00:00:00:99", "dev", "eth0", "nud", "stale");
    lab.inside("n1", () -> {
      try (PcapAnnouncer announcer = PcapAnnouncer.open("eth0", N1_MAC, List.of(GratuitousArp.Form.REQUEST, GratuitousArp.Form.REPLY))) {
        announcer.announce(List.of(V4), "");
      } catch (DriverException expected) {
        // the kernel refuses the frame (ENOBUFS): that is the fence working
      }
      return null;
    });
    Thread.sleep(200);
    assertEquals("02:18:00:00:00:99", clientEntry("198.18.0.50"), "the fenced node's G-ARP never reached the client");

    // A restart finds the addresses guarded by the earlier run and keeps them fenced across the swap.
    List<String> leftovers = lab.inside("n1", () -> {
      NftablesFence.Installed again = NftablesFence.install("eth0");
      again.fence().close();
      return again.leftovers();
    });
    assertEquals(List.of(V4.ip(), V6.ip()), leftovers);
    lab.exec("c1", "ip", "neigh", "flush", "dev", "eth0");
    assertFalse(answers("198.18.0.50"), "still fenced after the new install");

    lab.inside("n1", () -> {
      driver.remove("eth0", List.of(V4, V6));
      fence.unguard(List.of(V4, V6));
      fence.close();
      return null;
    });
    String table = lab.exec("n1", "nft", "list", "tables");
    assertFalse(table.contains("vipkeeper_eth0"), "a fence that guards nothing is removed on close: " + table);
  }

  @Test
  void aRenewalStalledAfterItReadTheClockNeverStretchesTheLease() throws Exception {
    VipAddress vip = VipAddress.parse("198.18.0.60/24");
    AtomicInteger stallsLeft = new AtomicInteger();
    NftablesFence fence = lab.inside("n1", () -> NftablesFence.install("eth0", () -> {
      if (stallsLeft.getAndDecrement() > 0) sleep(60); // longer than the ticket lives
    }).fence());
    try {
      long leaseEnd = System.nanoTime() + 400_000_000L;
      lab.inside("n1", () -> { fence.guard(List.of(vip), leaseEnd); return null; });

      stallsLeft.set(Integer.MAX_VALUE);
      long asked = System.nanoTime() + 2_000_000_000L;
      DriverException e = assertThrows(DriverException.class, () -> lab.inside("n1", () -> { fence.extend(Map.of(vip, asked)); return null; }));
      long left = expiresMillis(vip);
      assertTrue(left <= (leaseEnd - System.nanoTime()) / 1_000_000, "every attempt stalled: the old lease stands, "
          + left + " ms left in the kernel (" + e.getMessage() + ")");

      stallsLeft.set(1);
      lab.inside("n1", () -> { fence.extend(Map.of(vip, asked)); return null; });
      left = expiresMillis(vip);
      long allowed = (asked - System.nanoTime()) / 1_000_000;
      assertTrue(left <= allowed && left > 1000, "the stalled attempt refused, the next one set the lease: " + left + " ms left, "
          + allowed + " ms to its end");
    } finally {
      lab.inside("n1", () -> { fence.unguard(List.of(vip)); fence.close(); return null; });
    }
  }

  @Test
  void aVirtualMacSendsNothingOnceItsLeaseRanOut() throws Exception {
    String vmac = "00:00:5e:00:01:34";
    // The parent answers ARP only for its own addresses and asks from them, as the driver sets it for vmac groups.
    lab.exec("n1", "sysctl", "-w", "net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2");
    lab.exec("n1", "ip", "link", "add", "link", "eth0", "name", "vkt0", "address", vmac, "type", "macvlan", "mode", "bridge");
    NftablesFence fence = lab.inside("n1", () -> NftablesFence.install("eth0").fence());
    try {
      lab.exec("n1", "ip", "link", "set", "vkt0", "addrgenmode", "none");
      lab.exec("n1", "ip", "link", "set", "vkt0", "up");
      // Not guarded by the fence: only the MAC's lease can stop what the link sends from it.
      lab.exec("n1", "ip", "addr", "add", "198.18.0.61/24", "dev", "vkt0");
      lab.inside("n1", () -> { fence.guard(Map.of(), Map.of(vmac, System.nanoTime() + 1_000_000_000L)); return null; });
      assertTrue(answers("198.18.0.61"), "leased: the vmac link answers");
      assertEquals(vmac, clientEntry("198.18.0.61"), "from the virtual MAC");

      Thread.sleep(1100); // no renewal: the MAC's lease ends in the kernel
      assertFalse(answers("198.18.0.61"), "lease over: nothing leaves the link from the virtual MAC");
      assertEquals("", clientEntry("198.18.0.61"), "the client never heard the virtual MAC again");
    } finally {
      lab.exec("n1", "ip", "link", "del", "vkt0");
      lab.exec("n1", "sysctl", "-w", "net.ipv4.conf.eth0.arp_ignore=0", "net.ipv4.conf.eth0.arp_announce=0");
      lab.inside("n1", () -> { fence.unguard(List.of(), List.of(vmac)); fence.close(); return null; });
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the kernel says is left of {@code vip}'s lease ({@code expires 1s484ms}), 0 if it has none. */
  private static long expiresMillis(VipAddress vip) {
    String set = lab.exec("n1", "nft", "list", "set", "netdev", "vipkeeper_eth0", "leased4");
    Matcher m = Pattern.compile(Pattern.quote(vip.ip()) + " timeout \\S+ expires (?:(\\d+)s)?(?:(\\d+)ms)?").matcher(set);
    if (!m.find()) return 0;
    return (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 1000) + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
  }

  private static boolean answers(String ip) {
    lab.exec("c1", "ip", "neigh", "flush", "dev", "eth0");
    return pings(ip);
  }

  private static boolean pings(String ip) {
    try {
      lab.exec("c1", "ping", "-c", "1", "-W", "1", ip);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static String clientEntry(String ip) {
    String line = lab.exec("c1", "ip", "neigh", "show", ip, "dev", "eth0");
    int at = line.indexOf("lladdr ");
    return at < 0 ? "" : line.substring(at + 7, at + 24);
  }
}
