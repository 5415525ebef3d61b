package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The asker sees two holders when there are two: the fence tests' "never answered twice" can fail. */
class NeighbourAskerTest {

  @Test
  void twoHostsWithTheVipAnswerOneRequestTwiceAndOneHostOnce() throws Exception {
    assumeTrue(Lab.canRun(), "needs root and iproute2 for the namespace lab");
    try (Lab lab = Lab.up(Lab.prefix("vka"), 2, 1)) {
      for (String node : List.of("n1", "n2")) {
        lab.exec(node, "ip", "addr", "add", "198.18.0.50/24", "dev", "eth0");
        lab.exec(node, "ip", "addr", "add", "2001:db8:18::50/64", "dev", "eth0", "nodad");
      }
      try (NeighbourAsker asker = NeighbourAsker.start(lab, "c1", "198.18.0.100", "2001:db8:18::100", "198.18.0.50", "2001:db8:18::50", 20, 30)) {
        Thread.sleep(1000);
        Map<Long, List<String>> twice = asker.answeredTwice("arp", 0);
        assertTrue(twice.size() > 20, "most requests answered by both: " + asker.summary(0));
        assertTrue(twice.values().stream().anyMatch(macs -> macs.containsAll(List.of("02:18:00:00:00:0b", "02:18:00:00:00:0c"))), asker.summary(0));
        assertFalse(asker.answeredTwice("na", 0).isEmpty(), "NS answered by both: " + asker.summary(0));

        lab.exec("n2", "ip", "addr", "del", "198.18.0.50/24", "dev", "eth0");
        lab.exec("n2", "ip", "addr", "del", "2001:db8:18::50/64", "dev", "eth0");
        long since = System.nanoTime();
        Thread.sleep(1000);
        assertEquals(Map.of(), asker.answeredTwice("arp", since), asker.summary(since));
        assertEquals(Map.of(), asker.answeredTwice("na", since), asker.summary(since));
        assertTrue(asker.answers("arp", since) > 20 && asker.answers("na", since) > 20, "one host answers each request: " + asker.summary(since));
      }
    }
  }
}
