package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Gratuitous ARP mode on a switch that drops gratuitous ARP for the VIP: the new holder learns from
 * the other nodes that nobody saw its announcement, warns GARP NOT SEEN with the advice, and counts
 * it; with announce.tell-neighbours it also tells the client directly (an ARP request from the VIP),
 * which moves the client's entry although every gratuitous ARP was dropped; also when the new
 * holder started after the client last asked for the VIP (the other nodes' captures know it).
 */
class GarpNotSeenTest {

  @Test
  void theNewHolderWarnsCountsAndTellsTheClientDirectly() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    try (FailoverLab lab = FailoverLab.up(Lab.prefix("vkgn"), 3, l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("garp-not-seen"), "vipkeeper",
        Map.of(), List.of("-Dvipkeeper.announce.tell-neighbours=on")))) {
      lab.dropGratuitousArp(LabAddresses.VIP);
      lab.startAll();
      int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
      assertTrue(holder > 0, "one holder within 60 s:\n" + lab.report());
      assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().formed()), "three members:\n" + lab.report());

      Takeover t = lab.stop(holder, Duration.ofSeconds(30));
      System.out.printf("garp + tell-neighbours, G-ARP dropped, %s: %s%n", t.fault(),
          t.tookOver() ? String.format("%s answers after %.0f ms", t.to(), t.takeoverMillis()) : "nobody answers");
      t.timeline().forEach(line -> System.out.println("  " + line));
      assertTrue(t.tookOver(), "another node answers:\n" + lab.report());
      int now = Integer.parseInt(t.to().substring(1));
      assertTrue(lab.droppedGratuitousArp() > 0, "the switch dropped gratuitous ARP");
      assertTrue(FailoverLab.await(Duration.ofSeconds(5), () -> lab.nodes().log(now).contains("GARP NOT SEEN group=vip")),
          "n" + now + " warned:\n" + lab.nodes().log(now));
      String warning = lab.nodes().log(now).lines().filter(l -> l.contains("GARP NOT SEEN")).reduce((a, b) -> b).orElseThrow();
      System.out.println("  " + warning);
      assertTrue(warning.contains("WARN") && warning.contains("mode = vmac") && warning.contains(LabAddresses.nodeMac(now)), warning);
      String metrics = lab.lab().httpGet("c1", LabAddresses.nodeIp(now), 8558, "/metrics");
      Matcher m = Pattern.compile("vipkeeper_garp_not_seen_total\\{[^}]*group=\"vip\"[^}]*} (\\d+)").matcher(metrics);
      assertTrue(m.find() && Double.parseDouble(m.group(1)) >= 1, "counted in the metric: " + metrics.lines().filter(l -> l.contains("garp")).toList());
      assertTrue(lab.nodes().log(now).contains("told 1 host(s) directly that 198.18.0.50 moved here"), lab.nodes().log(now));
      assertTrue(t.neighbourAfter().startsWith(LabAddresses.nodeMac(now)),
          "the client's entry moved to n" + now + " although every G-ARP was dropped: before " + t.neighbourBefore() + ", after " + t.neighbourAfter());
      assertEquals(0, t.answersFromOldAfterNew());

      // The stopped node comes back knowing no client; whoever takes over from a killed holder now
      // learns of the client from the nodes that saw it ask.
      assertTrue(lab.restart(holder, Duration.ofSeconds(30)), lab.report());
      Takeover k = lab.kill(now, Duration.ofSeconds(30));
      System.out.printf("garp + tell-neighbours, G-ARP dropped, %s: %s%n", k.fault(),
          k.tookOver() ? String.format("%s answers after %.0f ms", k.to(), k.takeoverMillis()) : "nobody answers");
      assertTrue(k.tookOver(), "another node answers:\n" + lab.report());
      assertTrue(k.neighbourAfter().startsWith(LabAddresses.nodeMac(Integer.parseInt(k.to().substring(1)))),
          "the client's entry moved to " + k.to() + ": before " + k.neighbourBefore() + ", after " + k.neighbourAfter());
      assertEquals(0, k.answersFromOldAfterNew());
    }
  }
}
