package io.vipkeeper.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class OwnershipTest {

  private static final long MS = 1_000_000;

  private static Watch.Event added(String host, long ms) {
    return new Watch.Event(ms * MS, host, "5: eth0    inet 198.18.0.100/24 scope global eth0");
  }

  private static Watch.Event deleted(String host, long ms) {
    return new Watch.Event(ms * MS, host, "Deleted 5: eth0    inet 198.18.0.100/24 scope global eth0");
  }

  @Test
  void twoLiveHoldersOverlapFromTheSecondAddUntilTheFirstRemoval() {
    Ownership ownership = new Ownership(3);
    Ownership.Overlap overlap = ownership.longestOverlap(List.of(added("n1", 100), added("n2", 250), deleted("n1", 400)));
    assertEquals(new Ownership.Overlap(250 * MS, 150 * MS), overlap);
  }

  @Test
  void aDownNodesAddressCountsOnlyFromItsUpMarkUntilItsRemoval() {
    Ownership ownership = new Ownership(3);
    ownership.down(1, 200 * MS);
    ownership.up(1, 500 * MS);
    List<Watch.Event> events = List.of(added("n1", 100), added("n2", 250), deleted("n1", 600));
    assertEquals(new Ownership.Overlap(500 * MS, 100 * MS), ownership.longestOverlap(events));
    assertEquals(List.of("n1 down +200 .. +500 ms"), ownership.outages(0));
  }
}
