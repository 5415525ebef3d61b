package io.vipkeeper.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.driver.NoNic;
import io.vipkeeper.holder.ConflictWatch;
import io.vipkeeper.holder.InterfaceActor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private static final ActorTestKit kit = ActorTestKit.create("metrics", ConfigFactory.parseString("""
      pekko.actor.provider = cluster
      pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
      """).withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static final AtomicReference<Map<String, Long>> held = new AtomicReference<>(Map.of("web", 3L));
  private static Metrics shared;

  /** One per system: it starts a named actor that counts takeovers. */
  private static synchronized Metrics metrics() {
    if (shared == null) shared = create();
    return shared;
  }

  private static Metrics create() {
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    NodeIdentity self = NodeIdentity.of(kit.system(), "n1");
    return new Metrics(kit.system(), "n1", NoNic.drivers().announcer(),
        () -> CompletableFuture.completedFuture(new InterfaceActor.Holdings(self, held.get(), Map.of("web", 3L, "db", 1L),
            true, 1.0, Map.of(), "")),
        () -> CompletableFuture.completedFuture(new ConflictWatch.Conflicts(0, List.of())));
  }

  private static String scrape(Metrics metrics) throws Exception {
    return metrics.scrape().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static String line(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line " + prefix + ")\n" + text);
  }

  /** The sample's value of the first line starting with {@code prefix}. */
  private static double value(String text, String prefix) {
    String l = line(text, prefix);
    return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
  }

  @Test
  void gaugesShowTheStateOnceWhateverTheNumberOfScrapes() throws Exception {
    Metrics metrics = metrics();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!scrape(metrics).contains("vipkeeper_cluster_members{status=\"Up\"}") && System.nanoTime() < deadline) Thread.sleep(100);
    for (int i = 0; i < 3; i++) scrape(metrics);
    String text = scrape(metrics);
    assertEquals(1.0, value(text, "vipkeeper_cluster_members{status=\"Up\"}"), text);
    assertEquals(1.0, value(text, "vipkeeper_vip_held{group=\"web\""), text);
    held.set(Map.of());
    text = scrape(metrics);
    assertEquals(0.0, value(text, "vipkeeper_vip_held{group=\"web\""), text);
    held.set(Map.of("web", 3L));
  }

  @Test
  void buildInfoJvmFiguresAndTakeoverBucketsAreExported() throws Exception {
    String text = scrape(metrics());
    assertEquals(1.0, value(text, "vipkeeper_build_info{version="), text);
    assertTrue(text.contains("jvm_gc_pause_seconds") || text.contains("jvm_gc_memory_allocated_bytes_total"), text);
    assertTrue(text.contains("jvm_threads_live_threads"), text);
    kit.system().eventStream().tell(new org.apache.pekko.actor.typed.eventstream.EventStream.Publish<>(
        new io.vipkeeper.VipEvent.Takeover("web", io.vipkeeper.TakeoverPath.MOVE, "n1", "n2", 4, 80, 0, 0, 0, 0, 0, 0)));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!text.contains("vipkeeper_takeover_duration_seconds_bucket") && System.nanoTime() < deadline) {
      Thread.sleep(50);
      text = scrape(metrics());
    }
    assertEquals(1.0, value(text, "vipkeeper_takeover_duration_seconds_bucket{group=\"web\",path=\"move\",le=\"0.1\"}"), text);
    assertEquals(0.0, value(text, "vipkeeper_takeover_duration_seconds_bucket{group=\"web\",path=\"move\",le=\"0.05\"}"), text);
  }

  /** Every metric the shipped Grafana dashboard queries is one this node exports, once each kind of event happened. */
  @Test
  void theGrafanaDashboardAsksOnlyForMetricsThatExist() throws Exception {
    System.gc(); // the GC pause metrics appear with the first collection
    for (io.vipkeeper.VipEvent e : List.of(
        new io.vipkeeper.VipEvent.Takeover("web", io.vipkeeper.TakeoverPath.MOVE, "n1", "n2", 4, 80, 0, 0, 0, 0, 0, 0),
        new io.vipkeeper.VipEvent.NicFailure("web", io.vipkeeper.VipEvent.NicAction.CLAIM, "test"),
        new io.vipkeeper.VipEvent.AnnouncementNotSeen("web", "198.18.0.50", "02:18:00:00:00:0b", List.of("n2")))) {
      kit.system().eventStream().tell(new org.apache.pekko.actor.typed.eventstream.EventStream.Publish<>(e));
    }
    String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("../../conf/grafana-dashboard.json"));
    com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard);
    java.util.Set<String> names = new java.util.TreeSet<>();
    java.util.regex.Pattern metric = java.util.regex.Pattern.compile("\\b((?:vipkeeper|jvm|process)_[a-z_]+)");
    for (com.fasterxml.jackson.databind.JsonNode target : root.findValues("targets")) {
      for (com.fasterxml.jackson.databind.JsonNode t : target) {
        java.util.regex.Matcher m = metric.matcher(t.get("expr").asText());
        while (m.find()) names.add(m.group(1));
      }
    }
    assertTrue(names.contains("vipkeeper_garp_not_seen_total") && names.size() > 10, "queried: " + names);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    java.util.List<String> missing;
    do {
      String text = scrape(metrics());
      missing = names.stream().filter(n -> text.lines().noneMatch(l -> l.startsWith(n + "{") || l.startsWith(n + " "))).toList();
      if (!missing.isEmpty()) Thread.sleep(100);
    } while (!missing.isEmpty() && System.nanoTime() < deadline);
    assertEquals(List.of(), missing, "the dashboard queries metrics this node does not export");
    assertEquals(1.0, value(scrape(metrics()), "vipkeeper_garp_not_seen_total{group=\"web\""), "the G-ARP check's event is counted");
  }
}
