package io.vipkeeper.catalog;

import io.vipkeeper.decider.DeciderBoards;
import io.vipkeeper.decider.PlacementBoard;
import io.vipkeeper.decider.RenewalWatch;
import io.vipkeeper.holder.InterfaceActor;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorSettings;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;

/** The catalog on a one-node cluster with its durable store in a temporary directory. */
class VipCatalogTest {

  private ActorTestKit kit;
  private TestProbe<InterfaceActor.Command> iface;
  private ActorRef<VipCatalog.Command> catalog;
  private ActorRef<Replicator.Command> replicator;

  @AfterEach
  void stop() {
    if (kit != null) kit.shutdownTestKit();
  }

  private void start(Path dir) {
    kit = ActorTestKit.create("vk", ConfigFactory.parseString("""
        vipkeeper.catalog.replicator.durable.keys = ["*"]
        vipkeeper.catalog.replicator.durable.file.dir = "%s"
        """.formatted(dir)).withFallback(TestConfigs.clusterNode("vipkeeper.node-name = n1")));
    Cluster.get(kit.system()).manager().tell(Join.create(Cluster.get(kit.system()).selfMember().address()));
    VipKeeperSettings settings = VipKeeperSettings.create(kit.system().settings().config());
    iface = kit.createTestProbe();
    ActorRef<Replicator.Command> replicator = kit.spawn(Replicator.behavior(
        ReplicatorSettings.create(kit.system().settings().config().getConfig("vipkeeper.catalog.replicator"))), "replicator");
    this.replicator = replicator;
    java.util.Map<String, VipGroup> configured = new java.util.LinkedHashMap<>();
    settings.groups().forEach(g -> configured.put(g.name(), g));
    ActorRef<CatalogWriter.Command> writer = kit.spawn(CatalogWriter.create(configured, replicator), "writer");
    catalog = kit.spawn(VipCatalog.create(settings, Quorum.of(kit.system().settings().config()), iface.ref(),
        new DeciderBoards(kit.<PlacementBoard.Command>createTestProbe().ref(), kit.<RenewalWatch.Command>createTestProbe().ref()),
        replicator, writer), "catalog");
  }

  private VipCatalog.Outcome ask(Function<ActorRef<VipCatalog.Outcome>, VipCatalog.Command> command) {
    TestProbe<VipCatalog.Outcome> probe = kit.createTestProbe();
    catalog.tell(command.apply(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private VipCatalog.Snapshot snapshot() {
    TestProbe<VipCatalog.Snapshot> probe = kit.createTestProbe();
    catalog.tell(new VipCatalog.Get(probe.ref()));
    return probe.receiveMessage();
  }

  private static VipGroup group(String name, String json) {
    return VipKeeperSettings.parseGroup(name, ConfigFactory.parseString(json));
  }

  /** The next listing the interface actor gets that satisfies {@code check}. */
  private InterfaceActor.Catalogued catalogued(Predicate<InterfaceActor.Catalogued> check) {
    return (InterfaceActor.Catalogued) iface.fishForMessage(Duration.ofSeconds(10), "catalog listing",
        m -> m instanceof InterfaceActor.Catalogued c && check.test(c)
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore()).get(0);
  }

  @Test
  void addedGroupsAndDrainedNodesSurviveARestartAndRemovalReachesTheInterface() throws Exception {
    Path dir = Files.createTempDirectory("catalog");
    start(dir);
    String json = "{\"addresses\": [\"198.18.0.60/24\"], \"placement\": {\"prefer\": [\"n2\"]}}";
    VipCatalog.Outcome added = ask(r -> new VipCatalog.Add(group("api", json), json, r));
    assertEquals(VipCatalog.Result.DONE, added.result(), added.message());
    assertEquals(Set.of("198.18.0.60/24"), Set.copyOf(catalogued(c -> c.runtime().containsKey("api")).runtime().get("api")
        .addresses().stream().map(a -> a.cidr()).toList()));
    assertEquals(VipCatalog.Result.DONE, ask(r -> new VipCatalog.Drain("n2", true, r)).result());
    TestProbe<Void> wait = kit.createTestProbe();
    wait.awaitAssert(Duration.ofSeconds(5), () -> { assertEquals(Set.of("n2"), snapshot().drained()); return null; });
    VipCatalog.Snapshot before = snapshot();
    assertEquals(Set.of("api"), before.runtime(), before.toString());
    assertTrue(before.deciders().containsKey("api"), "a proxy to the new group's decider: " + before);
    assertEquals(Set.of("n2"), before.drained());
    kit.shutdownTestKit();

    start(dir);
    InterfaceActor.Catalogued restored = catalogued(c -> c.runtime().containsKey("api"));
    assertEquals(List.of("n2"), restored.runtime().get("api").placement().prefer(), "the definition came back whole");
    TestProbe<Void> again = kit.createTestProbe();
    again.awaitAssert(Duration.ofSeconds(5), () -> { assertEquals(Set.of("n2"), snapshot().drained()); return null; });
    assertEquals(VipCatalog.Result.DONE, ask(r -> new VipCatalog.Remove("api", r)).result());
    assertFalse(catalogued(c -> !c.runtime().containsKey("api")).runtime().containsKey("api"));
    // Its singleton manager stops (so the shutdown below does not wait for a manager being stopped).
    again.awaitAssert(Duration.ofSeconds(5), () -> {
      assertThrows(Exception.class, () -> kit.system().classicSystem().actorSelection("/user/catalog/owner-api")
          .resolveOne(Duration.ofMillis(200)).toCompletableFuture().get());
      return null;
    });
  }

  @Test
  void refusesClashesAndConfiguredGroupsAndNamesUnknownOnes() throws Exception {
    start(Files.createTempDirectory("catalog"));
    String taken = "{\"addresses\": [\"198.18.0.50/24\"]}";
    VipCatalog.Outcome sameAddress = ask(r -> new VipCatalog.Add(group("other", taken), taken, r));
    assertEquals(VipCatalog.Result.CONFLICT, sameAddress.result());
    assertTrue(sameAddress.message().contains("198.18.0.50") && sameAddress.message().contains("web"), sameAddress.message());
    String json = "{\"addresses\": [\"198.18.0.61/24\"]}";
    VipCatalog.Outcome configured = ask(r -> new VipCatalog.Add(group("web", json), json, r));
    assertEquals(VipCatalog.Result.CONFLICT, configured.result(), configured.message());
    assertEquals(VipCatalog.Result.CONFLICT, ask(r -> new VipCatalog.Remove("web", r)).result());
    assertEquals(VipCatalog.Result.NOT_FOUND, ask(r -> new VipCatalog.Remove("nope", r)).result());
    assertEquals(VipCatalog.Result.DONE, ask(r -> new VipCatalog.Add(group("b", json), json, r)).result());
    catalogued(c -> c.runtime().containsKey("b"));
    VipCatalog.Outcome again = ask(r -> new VipCatalog.Add(group("b", json), json, r));
    assertEquals(VipCatalog.Result.CONFLICT, again.result(), again.message());
  }

  @Test
  void twentyAddsOfOneAddressAtOnceMakeOneGroup() throws Exception {
    start(Files.createTempDirectory("catalog"));
    String json = "{\"addresses\": [\"198.18.0.62/24\"]}";
    List<TestProbe<VipCatalog.Outcome>> probes = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      TestProbe<VipCatalog.Outcome> probe = kit.createTestProbe();
      probes.add(probe);
      catalog.tell(new VipCatalog.Add(group("race" + i, json), json, probe.ref()));
    }
    List<VipCatalog.Result> results = probes.stream().map(p -> p.receiveMessage(Duration.ofSeconds(20)).result()).toList();
    assertEquals(1, results.stream().filter(r -> r == VipCatalog.Result.DONE).count(), results.toString());
    assertEquals(19, results.stream().filter(r -> r == VipCatalog.Result.CONFLICT).count(), results.toString());
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void aPoisonedEntryIsSetAsideReportedAndRemovableWhileTheRestWorks() throws Exception {
    Path dir = Files.createTempDirectory("catalog");
    start(dir);
    // Written past the API (as an older node or a hand-edited store could): deep nesting, an address
    // taken by a configured group, and a good one.
    java.util.Map<String, String> entries = java.util.Map.of(
        "deep", "{\"addresses\":" + "[".repeat(999) + "]".repeat(999) + "}",
        "thief", "{\"addresses\": [\"198.18.0.50/24\"]}",
        "good", "{\"addresses\": [\"198.18.0.63/24\"]}");
    var self = org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData.get(kit.system()).selfUniqueAddress();
    TestProbe<Replicator.UpdateResponse> written = kit.createTestProbe();
    replicator.tell(new Replicator.Update<org.apache.pekko.cluster.ddata.LWWMap<String, String>>(VipCatalog.GROUPS,
        org.apache.pekko.cluster.ddata.LWWMap.create(), Replicator.writeLocal(), (ActorRef) written.ref(), map -> {
          var m = map;
          for (var e : entries.entrySet()) m = m.put(self, e.getKey(), e.getValue());
          return m;
        }));
    written.expectMessageClass(Replicator.UpdateSuccess.class, Duration.ofSeconds(5));
    assertEquals(Set.of("good"), catalogued(c -> c.runtime().containsKey("good")).runtime().keySet());
    VipCatalog.Snapshot snapshot = snapshot();
    assertEquals(Set.of("deep", "thief"), snapshot.setAside().keySet(), snapshot.toString());
    assertTrue(snapshot.setAside().get("thief").contains("belongs to group web"), snapshot.setAside().toString());
    assertTrue(snapshot.setAside().get("deep").contains("nesting depth"), snapshot.setAside().toString());
    kit.shutdownTestKit();

    // A node that starts with the poisoned entries on disk starts, reports them, and the rest works.
    start(dir);
    assertEquals(Set.of("good"), catalogued(c -> c.runtime().containsKey("good")).runtime().keySet());
    assertEquals(Set.of("deep", "thief"), snapshot().setAside().keySet());
    String json = "{\"addresses\": [\"198.18.0.64/24\"]}";
    assertEquals(VipCatalog.Result.DONE, ask(r -> new VipCatalog.Add(group("fresh", json), json, r)).result());
    assertEquals(VipCatalog.Result.DONE, ask(r -> new VipCatalog.Remove("deep", r)).result());
    TestProbe<Void> wait = kit.createTestProbe();
    wait.awaitAssert(Duration.ofSeconds(5), () -> { assertEquals(Set.of("thief"), snapshot().setAside().keySet()); return null; });
  }
}
