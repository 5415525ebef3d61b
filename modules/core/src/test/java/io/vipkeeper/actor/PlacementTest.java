package io.vipkeeper.actor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlacementTest {

  private static final NodeIdentity N1 = new NodeIdentity("n1", "pekko://vk@198.18.0.11:25520");
  private static final NodeIdentity N2 = new NodeIdentity("n2", "pekko://vk@198.18.0.12:25520");
  private static final NodeIdentity N3 = new NodeIdentity("n3", "pekko://vk@198.18.0.13:25520");
  private static final List<NodeIdentity> ALL = List.of(N1, N2, N3);

  @Test
  void aHealthyHolderKeepsTheGroup() {
    assertEquals(new Placement.Keep(N3), Placement.decide(ALL, Map.of(N3, 4L), 0, N1, Optional.empty()));
  }

  @Test
  void aNewGroupGoesToTheOldestNodeThatIsNotTheDecider() {
    assertEquals(new Placement.Move(List.of(), N2, false), Placement.decide(ALL, Map.of(), 0, N1, Optional.empty()),
        "losing n2 then leaves the decider on n1 alive to move it");
    assertEquals(new Placement.Move(List.of(), N1, false), Placement.decide(List.of(N1), Map.of(), 0, N1, Optional.empty()),
        "the decider's node when it is the only one");
  }

  @Test
  void aSilentMemberFencesTheMoveInsteadOfBlockingIt() {
    Placement.Decision d = Placement.decide(List.of(N1, N3), Map.of(), 1, N1, Optional.of(N2));
    assertEquals(new Placement.Move(List.of(), N3, true), d, "n2 may still hold under its lease: wait it out, then claim");
  }

  @Test
  void twoHoldersKeepTheNewestEpochAndReleaseTheOther() {
    assertEquals(new Placement.Move(List.of(N2), N3, false), Placement.decide(ALL, Map.of(N2, 3L, N3, 5L), 0, N1, Optional.empty()));
  }

  @Test
  void aHolderThatCannotHoldIsReleasedFirst() {
    assertEquals(new Placement.Move(List.of(N2), N3, false), Placement.decide(List.of(N1, N3), Map.of(N2, 3L), 0, N1, Optional.empty()));
  }

  @Test
  void aNodeWhoseClaimFailedIsPassedOverWhileAnotherCan() {
    assertEquals(new Placement.Move(List.of(), N3, false), Placement.decide(ALL, Map.of(), 0, N1, Optional.of(N2)));
    assertEquals(new Placement.Move(List.of(), N2, false), Placement.decide(List.of(N2), Map.of(), 0, N1, Optional.of(N2)));
  }

  @Test
  void noCandidateMeansWait() {
    assertTrue(Placement.decide(List.of(), Map.of(), 0, N1, Optional.empty()) instanceof Placement.Wait);
  }
}
