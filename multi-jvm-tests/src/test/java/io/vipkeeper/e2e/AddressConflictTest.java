package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.time.LocalTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.vipkeeper.pcap.GratuitousArp;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * A host outside the cluster (namespace c2) puts the VIP on its interface and sends a gratuitous
 * ARP: the holder detects the conflict, logs the other MAC, counts it in /metrics and announces
 * again, which puts the client back on the holder's MAC.
 */
class AddressConflictTest {

  private static final String ROGUE_MAC = "02:18:00:00:01:65";
  private static FailoverLab lab;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    lab = FailoverLab.up(Lab.prefix("vkc"), 3, 2,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("conflicts")));
    lab.startAll();
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  /** What any host can do: one unsolicited ARP reply for the VIP from its own MAC, sent inside its namespace. */
  /** Returns when the frame left (opening the pcap handle first takes half a second). */
  private static LocalTime sendGratuitousArp(String host, String mac) throws Exception {
    byte[] frame = GratuitousArp.frame(GratuitousArp.Form.REPLY, mac,
        (Inet4Address) InetAddress.getByName(LabAddresses.VIP));
    return lab.lab().inside(host, () -> {
      try (PcapHandle handle = Pcaps.getDevByName("eth0")
          .openLive(128, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, 10)) {
        handle.sendPacket(frame);
        return LocalTime.now();
      }
    });
  }

  @Test
  void aRogueAnnouncementIsDetectedCountedAndAnsweredSoTheClientComesBack() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
    assertTrue(holder > 0, lab.report());
    String holderMac = LabAddresses.nodeMac(holder);
    assertTrue(FailoverLab.await(Duration.ofSeconds(10), () -> lab.clientNeighbour().startsWith(holderMac)), lab.clientNeighbour());
    lab.lab().exec("c2", "ip", "addr", "add", LabAddresses.VIP + "/32", "dev", "eth0");
    LocalTime sent = sendGratuitousArp("c2", ROGUE_MAC);
    lab.lab().exec("c2", "ip", "addr", "del", LabAddresses.VIP + "/32", "dev", "eth0");
    assertTrue(FailoverLab.await(Duration.ofSeconds(5), () -> lab.nodes().log(holder).contains("ADDRESS CONFLICT ip=198.18.0.50")),
        "the holder noticed:\n" + lab.nodes().log(holder));
    Matcher m = Pattern.compile("(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) ERROR .*ADDRESS CONFLICT ip=198.18.0.50 group=vip: (\\S+) answers")
        .matcher(lab.nodes().log(holder));
    assertTrue(m.find(), lab.nodes().log(holder));
    assertEquals(ROGUE_MAC, m.group(2), "the log names the other MAC");
    long detectedMillis = Duration.between(sent, LocalTime.parse(m.group(1))).toMillis();
    System.out.println("conflict logged " + detectedMillis + " ms after the rogue's gratuitous ARP was sent");
    assertTrue(detectedMillis < 1000, "detected within a second: " + detectedMillis + " ms");
    String metrics = lab.lab().httpGet("c1", LabAddresses.nodeIp(holder), 8558, "/metrics");
    Matcher counted = Pattern.compile("vipkeeper_address_conflicts_total (\\d+)").matcher(metrics);
    assertTrue(counted.find() && Long.parseLong(counted.group(1)) >= 1, "the metric counts it:\n" + metrics);
    assertTrue(FailoverLab.await(Duration.ofSeconds(5), () -> lab.clientNeighbour().startsWith(holderMac)),
        "the re-announcement put the client back on n" + holder + ": " + lab.clientNeighbour());
    String conflicts = lab.lab().httpGet("c1", LabAddresses.nodeIp(holder), 8558, "/conflicts");
    assertTrue(conflicts.contains(ROGUE_MAC), conflicts);
    assertEquals(List.of(holder), lab.holders(), "the VIP stayed where it was");
  }
}
