package io.vipkeeper.lab;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lab's five scenarios on one running 3-node cluster (two cores do not carry a lab per test):
 * start, crash of the holder, its restart, a graceful stop of the next holder, and throughout,
 * never two live holders. Each step asserts on what the client probe and the kernels saw.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverScenariosTest {

  /** The group is dual-stack: the IPv6 VIP moves with the IPv4 one, announced by unsolicited NA. */
  private static final String VIP6 = "2001:db8:18::50";
  private static FailoverLab lab;
  private static int holder;
  private static int crashed;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root and iproute2 for the namespace lab");
    lab = FailoverLab.up("vks" + ProcessHandle.current().pid() % 1000, 3,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("scenarios"), "vipkeeper",
            Map.of("VIPKEEPER_VIPS", LabAddresses.VIP + "/24," + VIP6 + "/64"), List.of()));
    lab.startAll();
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  @Test
  @Order(1)
  void startExactlyOneNodeHoldsAndTheClientMapsItsMac() throws Exception {
    holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    assertTrue(holder > 0, "one holder answering within 60 s:\n" + lab.report());
    assertTrue(lab.nodes().formed(), "all three nodes Up:\n" + lab.report());
    assertEquals(List.of(holder), lab.holders(), "still exactly one holder after all joined:\n" + lab.report());
    String neighbour = lab.clientNeighbour();
    assertTrue(neighbour.startsWith(LabAddresses.nodeMac(holder)), "client maps the VIP to n" + holder + ": " + neighbour);
  }

  @Test
  @Order(2)
  void crashAnotherNodeClaimsAndTheClientFollowsWithoutAFlush() throws Exception {
    crashed = holder;
    lab.lab().exec("c1", "ping", "-6", "-c", "1", "-W", "2", VIP6); // the client learns the IPv6 VIP's MAC
    assertTrue(neighbour6().contains(LabAddresses.nodeMac(crashed)), "IPv6 entry before: " + neighbour6());
    Takeover t = lab.crash(crashed, Duration.ofSeconds(30));
    print(t);
    assertTrue(t.tookOver(), "another node answers within 30 s:\n" + lab.report());
    holder = Integer.parseInt(t.to().substring(1));
    assertNotEquals(crashed, holder);
    assertTrue(t.claimed().isPresent(), "the new holder's kernel added the VIP:\n" + lab.report());
    assertTrue(t.neighbourAfter().startsWith(LabAddresses.nodeMac(holder)),
        "client's entry moved to n" + holder + " by announcement alone: before " + t.neighbourBefore() + ", after " + t.neighbourAfter());
    assertEquals(0, t.answersFromOldAfterNew(), "the crashed node answered after the takeover");
    assertTrue(neighbour6().contains("lladdr " + LabAddresses.nodeMac(holder)),
        "client's IPv6 entry moved to n" + holder + " by Neighbor Advertisement alone: " + neighbour6());
  }

  private static String neighbour6() {
    return lab.lab().exec("c1", "ip", "-6", "neigh", "show", VIP6, "dev", "eth0").trim();
  }

  @Test
  @Order(3)
  void restartTheOldHolderHoldsNoStaleAddressAndDoesNotTakeTheVipBack() throws Exception {
    assertTrue(lab.holders().contains(crashed), "precondition: the crashed node's NIC still has the VIP");
    assertTrue(lab.restart(crashed, Duration.ofSeconds(30)), "start-up reconcile removed the stale VIP:\n" + lab.report());
    assertTrue(FailoverLab.await(Duration.ofSeconds(30), () -> lab.nodes().log(crashed).contains("Welcome from")),
        "n" + crashed + " rejoined:\n" + lab.report());
    assertTrue(lab.nodes().log(crashed).contains("removing leftover VIPs [198.18.0.50/24]"), lab.nodes().log(crashed));
    for (int k = 0; k < 30; k++) {
      Thread.sleep(100);
      assertEquals(List.of(holder), lab.holders(), "the VIP stays on n" + holder + " (no flapping):\n" + lab.report());
    }
  }

  @Test
  @Order(4)
  void gracefulStopReleasesBeforeTheNewNodeClaims() throws Exception {
    int old = holder;
    Takeover t = lab.stop(old, Duration.ofSeconds(30));
    print(t);
    assertTrue(t.tookOver(), "another node answers within 30 s:\n" + lab.report());
    assertTrue(t.released().isPresent() && t.claimed().isPresent(), "kernel events for release and claim:\n" + lab.report());
    assertTrue(t.released().getAsLong() < t.claimed().getAsLong(),
        "n" + old + " dropped the VIP before " + t.to() + " added it:\n" + lab.report());
    assertEquals(0, t.answersFromOldAfterNew());
    holder = Integer.parseInt(t.to().substring(1));
  }

  @Test
  @Order(5)
  void atNoInstantDoTwoNodesAnswerTheVip() {
    assertEquals(0.0, lab.maxOverlapMillis(), "two live nodes held the VIP at once:\n" + lab.report());
    assertEquals(0, lab.flipBacks(), "the client got answers from two nodes in turn");
    assertTrue(lab.answers().size() > 100, "the probe ran: " + lab.answers().size() + " answers");
  }

  private static void print(Takeover t) {
    System.out.println(t.kind() + ": " + t.fault());
    t.timeline().forEach(line -> System.out.println("  " + line));
  }
}
