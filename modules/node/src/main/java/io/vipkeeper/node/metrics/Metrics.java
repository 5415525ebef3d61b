package io.vipkeeper.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vipkeeper.VipEvent;
import io.vipkeeper.node.Main;
import io.vipkeeper.holder.ConflictWatch;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.driver.Announcer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * This node's Prometheus metrics (GET /metrics). Takeovers are counted on the node that decided
 * them (the deciders run on the oldest node: sum over nodes); what this node holds, its epochs,
 * its frames and failures, and the membership as it sees it are read at each scrape.
 */
public final class Metrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> held = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> epochs = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> members = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastTakeoverMillis = new ConcurrentHashMap<>();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong unreachable = new AtomicLong();
  private final AtomicLong observer = new AtomicLong();
  private final ActorSystem<?> system;
  private final Supplier<CompletionStage<InterfaceActor.Holdings>> holdings;
  private final Supplier<CompletionStage<ConflictWatch.Conflicts>> conflictView;
  private final String node;

  /** Takeover buckets: planned moves are tens of ms, crash takeovers under a second, the rest seconds. */
  private static final Duration[] BUCKETS = Stream.of(25, 50, 100, 250, 500, 750, 1000, 2000, 5000, 10000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  public Metrics(ActorSystem<?> system, String node, Announcer announcer, Supplier<CompletionStage<InterfaceActor.Holdings>> holdings,
      Supplier<CompletionStage<ConflictWatch.Conflicts>> conflictView) {
    this.system = system;
    this.node = node;
    this.holdings = holdings;
    this.conflictView = conflictView;
    Gauge.builder("vipkeeper.build.info", () -> 1).description("Always 1; the labels say which build runs")
        .tags("version", Main.version()).register(registry);
    // A GC pause or a starved thread is what ends a lease: the JVM's own figures beside ours.
    new JvmGcMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    FunctionCounter.builder("vipkeeper.announce.frames", announcer, a -> a.framesSent())
        .description("Frames sent by this node: gratuitous ARP, unsolicited neighbour advertisements, switch-learning frames, ARP told to neighbours").register(registry);
    Gauge.builder("vipkeeper.observer", observer, AtomicLong::get)
        .description("1 while this node is an observer (its epoch journal cannot be opened): it holds nothing and does not vote")
        .register(registry);
    Gauge.builder("vipkeeper.cluster.unreachable", unreachable, AtomicLong::get)
        .description("Members this node's failure detector cannot reach").register(registry);
    FunctionCounter.builder("vipkeeper.address.conflicts", conflicts, AtomicLong::get)
        .description("Frames in which another MAC answered for a VIP").register(registry);
    ActorRef<VipEvent> events = system.systemActorOf(Behaviors.receive(VipEvent.class)
        .onMessage(VipEvent.Takeover.class, t -> { onTakeover(t); return Behaviors.same(); })
        .onMessage(VipEvent.NicFailure.class, f -> { onFailure(f); return Behaviors.same(); })
        .onMessage(VipEvent.AnnouncementNotSeen.class, n -> { onNotSeen(n); return Behaviors.same(); })
        .build(), "vipkeeper-metrics", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(VipEvent.class, events));
  }

  private void onTakeover(VipEvent.Takeover t) {
    Counter.builder("vipkeeper.takeovers").description("Takeovers decided on this node, by group and path (reason)")
        .tags("group", t.group(), "path", t.path().label()).register(registry).increment();
    Timer.builder("vipkeeper.takeover.duration").description("Time from detection to the new holder's claim")
        .serviceLevelObjectives(BUCKETS).tags("group", t.group(), "path", t.path().label()).register(registry).record(Duration.ofMillis(t.totalMillis()));
    gauge(lastTakeoverMillis, t.group(), "vipkeeper.takeover.last.seconds", "Duration of the group's last takeover",
        Tags.of("group", t.group()), v -> v / 1000.0).set(t.totalMillis());
  }

  private void onFailure(VipEvent.NicFailure f) {
    Counter.builder("vipkeeper.nic.failures").description("Address changes the kernel refused, by action (claim, release)")
        .tags("group", f.group(), "action", f.action().name().toLowerCase(Locale.ROOT)).register(registry).increment();
  }

  private void onNotSeen(VipEvent.AnnouncementNotSeen n) {
    Counter.builder("vipkeeper.garp.not.seen").description("Claims whose gratuitous ARP no other node saw (the segment drops them), by group")
        .tags("group", n.group()).register(registry).increment();
  }

  /**
   * Reads the current state, then renders every metric in Prometheus text format. Each gauge is
   * set to its new value in one step (never zeroed and counted up), so two scrapes at once cannot
   * show a doubled or missing value.
   */
  public CompletionStage<String> scrape() {
    Cluster cluster = Cluster.get(system);
    Map<String, Long> byStatus = new HashMap<>();
    for (Member m : cluster.state().getMembers()) byStatus.merge(m.status().toString(), 1L, Long::sum);
    byStatus.keySet().forEach(status -> gauge(members, status, "vipkeeper.cluster.members",
        "Cluster members as this node sees them, by status", Tags.of("status", status), v -> v));
    members.forEach((status, value) -> value.set(byStatus.getOrDefault(status, 0L)));
    unreachable.set(cluster.state().getUnreachable().size());
    return holdings.get().thenCombine(conflictView.get(), (h, c) -> {
      h.highestEpoch().forEach((group, epoch) -> gauge(epochs, group, "vipkeeper.epoch", "Highest epoch this node knows per group",
          Tags.of("group", group), v -> v).set(epoch));
      h.held().keySet().forEach(group -> gauge(held, group, "vipkeeper.vip.held", "1 while this node holds the group",
          Tags.of("group", group, "node", node), v -> v));
      held.forEach((group, value) -> value.set(h.held().containsKey(group) ? 1 : 0));
      conflicts.set(c.total());
      observer.set(h.isObserver() ? 1 : 0);
      return registry.scrape();
    });
  }

  /** The gauge {@code name} with {@code tags}, kept in {@code values} under {@code key} (a status, a group). */
  private AtomicLong gauge(Map<String, AtomicLong> values, String key, String name, String help, Tags tags,
      DoubleUnaryOperator scale) {
    return values.computeIfAbsent(key, k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, v -> scale.applyAsDouble(v.get())).description(help).tags(tags).register(registry);
      return value;
    });
  }
}
