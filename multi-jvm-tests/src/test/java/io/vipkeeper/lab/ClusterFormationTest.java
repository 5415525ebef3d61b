package io.vipkeeper.lab;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vipkeeper.testing.Lab;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Three nodes started as the README says form a cluster, and exactly one holds the VIP. */
class ClusterFormationTest {

  @Test
  void threeNodesFormAClusterAndExactlyOneHoldsTheVip() throws Exception {
    assumeTrue(Lab.canRun(), "needs root and iproute2 for the namespace lab");
    try (LabCluster cluster = LabCluster.up("vkf" + ProcessHandle.current().pid() % 1000, 3, "formation")) {
      cluster.startAll();
      boolean placed = LabCluster.await(Duration.ofSeconds(40), () -> cluster.holders().size() == 1);
      assertTrue(placed, "no single holder within 40 s:\n" + cluster.report());
      List<String> first = cluster.holders();
      for (int k = 0; k < 20; k++) {
        Thread.sleep(100);
        assertEquals(first, cluster.holders(), "the holder must stay put:\n" + cluster.report());
      }
      int holder = Integer.parseInt(first.get(0).substring(1));
      cluster.lab().exec("c1", "ping", "-c", "1", "-W", "2", LabCluster.VIP);
      String neigh = cluster.clientNeighbour();
      assertTrue(neigh.contains(LabCluster.nodeMac(holder)), "client maps the VIP to the holder's MAC: " + neigh);
      assertTrue(LabCluster.await(Duration.ofSeconds(30), () -> cluster.allUp(3)), "all three nodes Up:\n" + cluster.report());
      assertEquals(first, cluster.holders(), "still exactly one holder after all joined:\n" + cluster.report());
    }
  }
}
