package io.vipkeeper.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vipkeeper.lab.FailoverLab;
import io.vipkeeper.lab.Lab;
import io.vipkeeper.lab.Takeover;
import io.vipkeeper.lab.VipkeeperNodes;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two nodes that hold VIPs and a witness (n3: votes, holds nothing, no NIC work): a crash of either
 * holder, the lowest address included, is taken over by the other, which a two-member
 * keep-majority cluster cannot do (only the lowest address's side survives a 1/1 split there).
 */
class TwoNodeWitnessTest {

  @Test
  void eitherHolderCanFailOverAndTheWitnessNeverHolds() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    try (FailoverLab lab = FailoverLab.up(Lab.prefix("vkw"), 3, l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("witness"))
        .withNodeEnv(3, Map.of("VIPKEEPER_ROLE", "witness")))) {
      lab.startAll();
      assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().log(3).contains("WITNESS: this node votes")), lab.report());
      for (int round = 0; round < 2; round++) {
        int holder = lab.awaitSingleHolder(Duration.ofSeconds(60));
        assertTrue(holder == 1 || holder == 2, "a holder, never the witness:\n" + lab.report());
        Takeover t = lab.crash(holder, Duration.ofSeconds(30));
        t.timeline().forEach(line -> System.out.println("  " + line));
        assertEquals("n" + (3 - holder), t.to(), "the other holder took over:\n" + lab.report());
        assertEquals(0.0, lab.maxOverlapMillis(), "two live holders:\n" + lab.report());
        assertTrue(lab.restart(holder, Duration.ofSeconds(30)), lab.report());
        assertFalse(lab.holders().contains(3), "the witness never holds:\n" + lab.report());
        // The VIP stays where it went (no preempt): the next round crashes the other holder.
        assertTrue(FailoverLab.await(Duration.ofSeconds(60), () -> lab.nodes().formed()), lab.report());
      }
      assertFalse(lab.nodes().log(3).contains("CLAIMED"), "the witness claimed nothing");
    }
  }
}
