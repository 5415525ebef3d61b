package io.vipkeeper.lease;

import io.vipkeeper.membership.Quorum;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The lease rules on a manual clock: a cut-off holder's lease runs out before a decider that got
 * the next epoch promised may claim, whatever the timing; promises end renewals; a holder that
 * reaches some nodes but no majority loses its lease.
 */
class LeaseTest {

  private static final long MS = 1_000_000L;
  private static final long LEASE = 200 * MS;
  private static final long MARGIN = 50 * MS;
  private static final Quorum MAJORITY = new Quorum(Quorum.Strategy.KEEP_MAJORITY, 0);
  private static final List<Quorum.Voter> THREE = voters("h", "a", "b");

  /** One clock for all nodes of the simulation (the margin covers rate drift in the real world). */
  private long now;

  @Test
  void aCutOffHolderReleasesBeforeAnyNewClaimCanBeOrdered() {
    Random random = new Random(42);
    for (int run = 0; run < 500; run++) {
      now = 0;
      Lease lease = new Lease(LEASE, () -> now);
      LeaseGrants a = new LeaseGrants(() -> now);
      LeaseGrants b = new LeaseGrants(() -> now);
      long renewEvery = 50 * MS;
      long cutAt = (long) (random.nextDouble() * 1000) * MS;
      long delay = (long) (random.nextDouble() * 30) * MS;
      long round = 0;
      // The holder renews with a (and itself) until the cut; answers take `delay` to come back.
      for (long t = 0; t < cutAt; t += renewEvery) {
        now = t;
        lease.sent(++round);
        now = t + delay / 2;
        if (now >= cutAt) break;
        a.renew("web", 1, 1, LEASE);
        now = t + delay;
        lease.grant(round, "h", by -> MAJORITY.survives(by, THREE));
        lease.grant(round, "a", by -> MAJORITY.survives(by, THREE));
      }
      // The decider (on a's side) suspects at some point after the cut and gets a and b to promise epoch 2.
      now = cutAt + (long) (random.nextDouble() * 300) * MS;
      List<Long> backed = new ArrayList<>();
      assertFalse(a.renew("web", 1, 2, LEASE), "a promised 2: no renewal of 1");
      backed.add(a.backedForNanos("web"));
      backed.add(b.backedForNanos("web"));
      long claimAt = now + LeaseGrants.takeoverWaitNanos(backed, MARGIN);
      now = claimAt - MARGIN;
      assertFalse(lease.valid(), "run " + run + ": the holder's lease still ran " + lease.remainingNanos() / MS
          + " ms when the claim was at most the margin away (cut at " + cutAt / MS + " ms, delay " + delay / MS + " ms)");
    }
  }

  @Test
  void aPromiseOfTheNextEpochEndsRenewalsOfTheOld() {
    LeaseGrants grants = new LeaseGrants(() -> now);
    assertTrue(grants.renew("web", 3, 3, LEASE));
    assertFalse(grants.renew("web", 3, 4, LEASE), "4 was promised");
    assertTrue(grants.renew("web", 4, 4, LEASE));
    assertTrue(grants.renew("db", 1, 0, LEASE), "groups are apart");
  }

  @Test
  void aHolderThatReachesSomeNodesButNoMajorityLosesItsLease() {
    List<Quorum.Voter> five = voters("h", "a", "b", "c", "d");
    Lease lease = new Lease(LEASE, () -> now);
    lease.sent(1);
    for (String node : List.of("h", "a", "b")) lease.grant(1, node, by -> MAJORITY.survives(by, five));
    assertTrue(lease.valid(), "3 of 5 grant");
    // From here on the holder still reaches a, not b, c, d: 2 of 5.
    for (int round = 2; round <= 10; round++) {
      now = (round - 1) * 50 * MS;
      lease.sent(round);
      int r = round;
      assertFalse(lease.grant(r, "h", by -> MAJORITY.survives(by, five)));
      assertFalse(lease.grant(r, "a", by -> MAJORITY.survives(by, five)), "2 of 5 is not a majority");
    }
    now = LEASE;
    assertFalse(lease.valid(), "the lease from round 1 ran out at " + LEASE / MS + " ms");
  }

  @Test
  void theTermCountsFromTheSendTimeNotTheAnswer() {
    Lease lease = new Lease(LEASE, () -> now);
    lease.sent(1);
    now = 80 * MS;
    lease.grant(1, "h", by -> MAJORITY.survives(by, THREE));
    assertTrue(lease.grant(1, "a", by -> MAJORITY.survives(by, THREE)));
    assertEquals(LEASE - 80 * MS, lease.remainingNanos());
    assertFalse(lease.grant(1, "b", by -> MAJORITY.survives(by, THREE)), "a third grant of the same round reaches no further");
    now = LEASE;
    assertFalse(lease.valid());
  }

  @Test
  void aDeciderWaitsOnlyForGrantsThatMayStillRun() {
    assertEquals(0, LeaseGrants.takeoverWaitNanos(List.of(LeaseGrants.NEVER, LeaseGrants.NEVER), MARGIN), "never granted: no wait");
    assertEquals(0, LeaseGrants.takeoverWaitNanos(List.of(-MARGIN - 1), MARGIN), "ran out longer ago than the margin");
    assertEquals(MARGIN - 10 * MS, LeaseGrants.takeoverWaitNanos(List.of(-10 * MS), MARGIN), "ran out just now: the margin still counts");
    assertEquals(120 * MS + MARGIN, LeaseGrants.takeoverWaitNanos(List.of(30 * MS, 120 * MS), MARGIN), "the furthest grant counts");
  }

  @Test
  void aHolderThatReleasedRenouncesItsLeaseButAStaleRenounceChangesNothing() {
    LeaseGrants grants = new LeaseGrants(() -> now);
    grants.renew("web", 3, 3, LEASE);
    grants.renounce("web", 3);
    assertEquals(LeaseGrants.NEVER, grants.backedForNanos("web"), "released: nothing to wait for");
    grants.renew("web", 4, 4, LEASE);
    grants.renounce("web", 3);
    assertEquals(LEASE, grants.backedForNanos("web"), "the old holder's late renounce leaves the new lease alone");
  }

  private static List<Quorum.Voter> voters(String... names) {
    List<Quorum.Voter> voters = new ArrayList<>();
    for (int i = 0; i < names.length; i++) voters.add(new Quorum.Voter(names[i], i + 1));
    return voters;
  }

}
