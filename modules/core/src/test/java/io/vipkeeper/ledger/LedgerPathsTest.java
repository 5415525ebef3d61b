package io.vipkeeper.ledger;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.membership.Quorum;
import io.vipkeeper.testing.TestConfigs;
import java.util.List;
import org.apache.pekko.actor.ActorPath;
import org.apache.pekko.actor.ActorPaths;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An unlisted member's ledger: at this node's ledger path on the member's address, for a grace period. */
class LedgerPathsTest {

  private final ActorTestKit kit = ActorTestKit.create("vkp", TestConfigs.clusterNode(""));

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void anUnlistedVoterIsAskedAtTheSamePathOnItsAddressUntilTheGraceEnds() {
    ActorPath local = ActorPaths.fromString("pekko://vkp/user/iface/ledger");
    LedgerPaths paths = new LedgerPaths(kit.system(), local);
    Quorum.Voter voter = new Quorum.Voter("pekko://vkp@127.0.0.1:4711", 2);
    long start = 1_000_000_000L;
    var ledger = paths.of(voter, start).orElseThrow();
    assertEquals("pekko://vkp@127.0.0.1:4711/user/iface/ledger", ledger.path().toString());
    long graceNanos = LedgerPaths.GRACE.toNanos();
    assertTrue(paths.of(voter, start + graceNanos - 1).isPresent(), "still asked within the grace");
    assertTrue(paths.of(voter, start + graceNanos).isEmpty(), "no longer asked after the grace");

    paths.retain(List.of());
    assertTrue(paths.of(voter, start + graceNanos).isPresent(), "unlisted again after being listed: a fresh grace");
    Quorum.Voter rejoined = new Quorum.Voter(voter.address(), 5);
    assertTrue(paths.of(rejoined, start + 2 * graceNanos).isPresent(), "a new incarnation at the address: a fresh grace");
  }
}
