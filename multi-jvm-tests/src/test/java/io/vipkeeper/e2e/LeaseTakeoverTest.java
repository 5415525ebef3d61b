package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Holder leases on one running 3-node cluster (default timing profile): a crashed holder on
 * another node than the decider is replaced before any node is downed; a cut-off holder lets its
 * lease run out before the new holder claims; when the node running both the decider and the
 * holder crashes, the slower path (downing, new decider) still ends with one holder.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaseTakeoverTest {

  private static final Path FLAGS = FailoverLab.logDir("leases").resolve("flags").toAbsolutePath();
  private static FailoverLab lab;

  @BeforeAll
  static void up() throws Exception {
    assumeTrue(Lab.canRun(), "needs root, iproute2 and nftables for the namespace lab");
    Files.createDirectories(FLAGS);
    try (var flags = Files.list(FLAGS)) {
      flags.forEach(f -> f.toFile().delete());
    }
    lab = FailoverLab.up(Lab.prefix("vkl"), 3,
        l -> new VipkeeperNodes(l, 3, FailoverLab.logDir("leases"), "vipkeeper",
            // a node is unhealthy while its flag file exists; checked every 200 ms, one result decides
            Map.of("VIPKEEPER_CHECK", "test ! -e " + FLAGS + "/unhealthy-$VIPKEEPER_NODE_NAME"),
            List.of("-Dvipkeeper.health.check.interval=200ms", "-Dvipkeeper.health.check.fall=1",
                "-Dvipkeeper.health.check.rise=1")));
    lab.startAll();
    assertTrue(lab.awaitSingleHolder(Duration.ofSeconds(60)) > 0, "one holder within 60 s:\n" + lab.report());
  }

  @AfterAll
  static void down() {
    if (lab != null) lab.close();
  }

  @Test
  @Order(1)
  void aCrashedHolderIsReplacedBeforeAnyNodeIsDowned() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(30));
    int decider = lab.singletonNode();
    assertNotEquals(decider, holder, "the first placement avoids the decider's node:\n" + lab.report());
    Takeover t = lab.crash(holder, Duration.ofSeconds(30));
    print(t);
    assertTrue(t.tookOver(), "another node answers within 30 s:\n" + lab.report());
    assertTrue(t.claimed().isPresent(), lab.report());
    assertTrue(t.decided().isEmpty() || t.claimed().getAsLong() < t.decided().getAsLong(),
        "the new holder claimed before the resolver downed anyone:\n" + String.join("\n", t.timeline()));
    assertTrue(lab.nodes().events(decider).stream().anyMatch(e -> e.isTakeover("lease") && e.get("from").equals("n" + holder)),
        "the decider recorded a lease takeover from n" + holder + ": " + lab.nodes().events(decider));
    assertEquals(0.0, lab.maxOverlapMillis(), "two live holders:\n" + lab.report());
    assertTrue(lab.restart(holder, Duration.ofSeconds(30)), "the crashed node came back without the VIP:\n" + lab.report());
    assertTrue(lab.awaitSingleHolder(Duration.ofSeconds(60)) > 0, lab.report());
  }

  @Test
  @Order(2)
  void aCutOffHolderLetsItsLeaseRunOutBeforeTheNewHolderClaims() throws Exception {
    int holder = lab.awaitSingleHolder(Duration.ofSeconds(30));
    int decider = lab.singletonNode();
    assertNotEquals(decider, holder, lab.report());
    Takeover t = lab.cut(holder, Duration.ofSeconds(30));
    print(t);
    assertTrue(t.tookOver(), "another node answers within 30 s:\n" + lab.report());
    assertTrue(t.released().isPresent() && t.claimed().isPresent(), lab.report());
    assertTrue(t.released().getAsLong() < t.claimed().getAsLong(),
        "n" + holder + " released before " + t.to() + " claimed:\n" + String.join("\n", t.timeline()));
    assertTrue(lab.nodes().log(holder).contains("LEASE LOST group=vip"), lab.nodes().log(holder));
    assertEquals(0, t.answersFromOldAfterNew(), "the client got answers from the cut-off holder after the takeover");
    assertEquals(0.0, lab.maxOverlapMillis(), "two live holders:\n" + lab.report());
    assertTrue(lab.healAndRejoin(Duration.ofSeconds(90)) > 0, "every node rejoined and one node holds:\n" + lab.report());
  }

  @Test
  @Order(3)
  void whenTheDecidersNodeAlsoHoldsACrashTakesTheSlowerPathAndStillEndsWithOneHolder() throws Exception {
    int decider = lab.singletonNode();
    for (int i = 1; i <= 3; i++) if (i != decider) Files.createFile(FLAGS.resolve("unhealthy-n" + i));
    assertTrue(FailoverLab.await(Duration.ofSeconds(30), () -> lab.holders().equals(List.of(decider))),
        "only the decider's node is healthy, so it holds:\n" + lab.report());
    try (var flags = Files.list(FLAGS)) {
      flags.forEach(f -> f.toFile().delete());
    }
    Thread.sleep(1000); // the others are healthy again; the VIP stays where it is
    assertEquals(List.of(decider), lab.holders(), lab.report());
    Takeover t = lab.crash(decider, Duration.ofSeconds(30));
    print(t);
    assertTrue(t.tookOver(), "another node answers within 30 s:\n" + lab.report());
    assertTrue(t.decided().isPresent() && t.claimed().getAsLong() > t.decided().getAsLong(),
        "without a decider, the claim waits for the resolver's downing:\n" + String.join("\n", t.timeline()));
    int next = lab.singletonNode();
    assertNotEquals(decider, next);
    assertTrue(lab.nodes().events(next).stream().anyMatch(e -> e.isTakeover("decider-start")),
        "the new decider recorded a decider-start takeover: " + lab.nodes().events(next));
    assertEquals(0.0, lab.maxOverlapMillis(), "two live holders:\n" + lab.report());
    assertTrue(lab.restart(decider, Duration.ofSeconds(30)), lab.report());
    assertTrue(lab.awaitSingleHolder(Duration.ofSeconds(60)) > 0, lab.report());
  }

  private static void print(Takeover t) {
    System.out.println(t.kind() + ": " + t.fault() + (t.tookOver() ? String.format(" -> %s in %.0f ms", t.to(), t.takeoverMillis()) : ""));
    t.timeline().forEach(line -> System.out.println("  " + line));
  }
}
