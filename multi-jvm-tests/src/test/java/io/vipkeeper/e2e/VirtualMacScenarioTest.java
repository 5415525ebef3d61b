package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * vmac mode on real JVMs: the holder crashes, another node creates the same virtual MAC and
 * announces it; the client's entry never changes, the bridge moves the MAC to the new port.
 */
class VirtualMacScenarioTest {

  private static final String VMAC = "00:00:5e:00:01:32";

  @Test
  void crashMovesTheVirtualMacToTheNewHoldersPortAndTheClientKeepsItsEntry() throws Exception {
    assumeTrue(Lab.canRun(), "needs root and iproute2 for the namespace lab");
    try (FailoverLab lab = FailoverLab.up(Lab.prefix("vkv"), 3,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("vmac"), "vipkeeper",
            Map.of("VIPKEEPER_MODE", "vmac", "VIPKEEPER_VRID", "50"), List.of()))) {
      lab.startAll();
      int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
      assertTrue(holder > 0, "one holder:\n" + lab.report());
      assertTrue(lab.clientNeighbour().startsWith(VMAC), "the client talks to the virtual MAC: " + lab.clientNeighbour());
      assertTrue(fdb(lab).contains(VMAC + " dev n" + holder + " "), "bridge learned the vmac on n" + holder + ": " + fdb(lab));

      Takeover t = lab.crash(holder, Duration.ofSeconds(30));
      t.timeline().forEach(line -> System.out.println("  " + line));
      assertTrue(t.tookOver(), "another node answers:\n" + lab.report());
      int now = Integer.parseInt(t.to().substring(1));
      assertTrue(t.neighbourBefore().startsWith(VMAC) && t.neighbourAfter().startsWith(VMAC),
          "the client's entry kept the virtual MAC: before " + t.neighbourBefore() + ", after " + t.neighbourAfter());
      assertTrue(fdb(lab).contains(VMAC + " dev n" + now + " "), "the bridge moved the vmac to n" + now + ": " + fdb(lab));
      assertEquals(0, t.answersFromOldAfterNew());
      assertEquals(0.0, lab.maxOverlapMillis(), "two live holders:\n" + lab.report());
    }
  }

  private static String fdb(FailoverLab lab) {
    return lab.lab().exec("sw", "bridge", "fdb", "show", "br", "br0");
  }
}
