package io.vipkeeper.actor;

import io.vipkeeper.CborSerializable;
import io.vipkeeper.config.AnnounceSettings;
import io.vipkeeper.driver.Announcer;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.InterfaceDriver;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The only code that touches the NIC on this node: claims (add the addresses, then announce) and
 * releases (remove them) on the order of a group's {@link VipOwner}. It releases everything on its
 * own when its member leaves, is downed or removed, and when the node shuts down.
 */
public final class InterfaceActor {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "vipkeeper-interface");

  public sealed interface Command {}

  /** Hold {@code group} under {@code epoch}; refused if a higher epoch was already seen. */
  public record Claim(VipGroup group, long epoch, ActorRef<ClaimResult> replyTo)
      implements Command, CborSerializable {}

  /** Stop holding {@code group}; answered also when it was not held. */
  public record Release(String group, String reason, ActorRef<ReleaseResult> replyTo)
      implements Command, CborSerializable {}

  public record QueryHoldings(ActorRef<Holdings> replyTo) implements Command, CborSerializable {}

  /** Release everything and refuse further claims: the node is leaving or stopping. */
  public record Retire(String reason, ActorRef<Done> replyTo) implements Command {}

  private record AnnounceRound(String group, int round) implements Command {}

  private record SelfEvent(ClusterEvent.MemberEvent event) implements Command {}

  public record ClaimResult(String group, long epoch, NodeIdentity node, boolean claimed, String error)
      implements CborSerializable {}

  public record ReleaseResult(String group, NodeIdentity node, boolean released, String error)
      implements CborSerializable {}

  /** What a node holds (group → epoch) and the highest epoch it has seen per group. */
  public record Holdings(NodeIdentity node, Map<String, Long> held, Map<String, Long> highestEpoch, boolean retired)
      implements CborSerializable {}

  private record Held(VipGroup group, long epoch) {}

  public static Behavior<Command> create(
      String iface, NodeIdentity node, List<VipAddress> configured, boolean reconcile,
      InterfaceDriver driver, Announcer announcer, AnnounceSettings announce) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      InterfaceActor actor = new InterfaceActor(context, timers, iface, node, driver, announcer, announce);
      if (reconcile) actor.reconcile(configured);
      context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
      Cluster cluster = Cluster.get(context.getSystem());
      cluster.subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.MemberEvent.class, SelfEvent::new), ClusterEvent.MemberEvent.class));
      return actor.active();
    }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String iface;
  private final NodeIdentity node;
  private final InterfaceDriver driver;
  private final Announcer announcer;
  private final AnnounceSettings announce;
  private final Map<String, Held> held = new HashMap<>();
  private final Map<String, Long> highestEpoch = new HashMap<>();

  private InterfaceActor(ActorContext<Command> context, TimerScheduler<Command> timers, String iface,
      NodeIdentity node, InterfaceDriver driver, Announcer announcer, AnnounceSettings announce) {
    this.context = context;
    this.timers = timers;
    this.iface = iface;
    this.node = node;
    this.driver = driver;
    this.announcer = announcer;
    this.announce = announce;
  }

  private Behavior<Command> active() {
    return Behaviors.receive(Command.class)
        .onMessage(Claim.class, this::onClaim)
        .onMessage(Release.class, this::onRelease)
        .onMessage(QueryHoldings.class, q -> onQuery(q, false))
        .onMessage(Retire.class, this::onRetire)
        .onMessage(AnnounceRound.class, this::onAnnounceRound)
        .onMessage(SelfEvent.class, this::onSelfEvent)
        .build();
  }

  /** Leaving, downed or stopping: nothing is held and every claim is refused. */
  private Behavior<Command> retired() {
    return Behaviors.receive(Command.class)
        .onMessage(Claim.class, c -> refuse(c, "node " + node.name() + " is leaving the cluster"))
        .onMessage(Release.class, this::onRelease)
        .onMessage(QueryHoldings.class, q -> onQuery(q, true))
        .onMessage(Retire.class, r -> { r.replyTo().tell(Done.getInstance()); return Behaviors.same(); })
        .onMessage(AnnounceRound.class, r -> Behaviors.same())
        .onMessage(SelfEvent.class, e -> Behaviors.same())
        .build();
  }

  private Behavior<Command> onClaim(Claim claim) {
    String name = claim.group().name();
    long highest = highestEpoch.getOrDefault(name, 0L);
    if (claim.epoch() < highest) {
      return refuse(claim, "epoch " + claim.epoch() + " is older than epoch " + highest + " already seen");
    }
    highestEpoch.put(name, claim.epoch());
    if (!held.containsKey(name)) {
      try {
        driver.add(iface, claim.group().addresses());
      } catch (DriverException e) {
        context.getLog().error("CLAIM FAILED group={} epoch={}: {}", name, claim.epoch(), e.getMessage());
        return refuse(claim, e.getMessage());
      }
    }
    held.put(name, new Held(claim.group(), claim.epoch()));
    context.getLog().info("CLAIMED group={} epoch={} addresses={} on {}", name, claim.epoch(),
        claim.group().addresses(), iface);
    onAnnounceRound(new AnnounceRound(name, 0));
    claim.replyTo().tell(new ClaimResult(name, claim.epoch(), node, true, ""));
    return Behaviors.same();
  }

  private Behavior<Command> refuse(Claim claim, String why) {
    claim.replyTo().tell(new ClaimResult(claim.group().name(), claim.epoch(), node, false, why));
    return Behaviors.same();
  }

  private Behavior<Command> onRelease(Release release) {
    String error = release(release.group(), release.reason());
    release.replyTo().tell(new ReleaseResult(release.group(), node, error.isEmpty(), error));
    return Behaviors.same();
  }

  private Behavior<Command> onQuery(QueryHoldings query, boolean isRetired) {
    Map<String, Long> epochs = new HashMap<>();
    held.forEach((name, h) -> epochs.put(name, h.epoch()));
    query.replyTo().tell(new Holdings(node, Map.copyOf(epochs), Map.copyOf(highestEpoch), isRetired));
    return Behaviors.same();
  }

  private Behavior<Command> onRetire(Retire retire) {
    retireAll(retire.reason());
    retire.replyTo().tell(Done.getInstance());
    return retired();
  }

  private Behavior<Command> onSelfEvent(SelfEvent self) {
    ClusterEvent.MemberEvent event = self.event();
    boolean isSelf = event.member().uniqueAddress().equals(Cluster.get(context.getSystem()).selfMember().uniqueAddress());
    // Not on MemberLeft: while Leaving, the singleton hands over and releases in order; releasing
    // earlier would only lengthen the gap. Exiting comes after the hand-over.
    boolean leaving = event instanceof ClusterEvent.MemberExited
        || event instanceof ClusterEvent.MemberDowned || event instanceof ClusterEvent.MemberRemoved;
    if (!isSelf || !leaving) return Behaviors.same();
    retireAll("member " + event.member().status());
    return retired();
  }

  private Behavior<Command> onAnnounceRound(AnnounceRound round) {
    Held holding = held.get(round.group());
    if (holding == null) return Behaviors.same();
    try {
      announcer.announce(holding.group().addresses());
    } catch (DriverException e) {
      context.getLog().warn("announcement of {} failed (the address stays claimed): {}", round.group(), e.getMessage());
    }
    if (round.round() + 1 < announce.count()) {
      timers.startSingleTimer(round.group(), new AnnounceRound(round.group(), round.round() + 1), announce.interval());
    }
    return Behaviors.same();
  }

  private void retireAll(String reason) {
    for (String name : List.copyOf(held.keySet())) release(name, reason);
  }

  /** Removes a held group's addresses; returns the error, or "" when nothing is left behind. */
  private String release(String name, String reason) {
    Held holding = held.get(name);
    if (holding == null) return "";
    timers.cancel(name);
    try {
      driver.remove(iface, holding.group().addresses());
    } catch (DriverException e) {
      context.getLog().error("RELEASE FAILED group={} epoch={}: {}", name, holding.epoch(), e.getMessage());
      return e.getMessage();
    }
    held.remove(name);
    context.getLog().info("RELEASED group={} epoch={} addresses={} from {} ({})", name, holding.epoch(),
        holding.group().addresses(), iface, reason);
    return "";
  }

  private void reconcile(List<VipAddress> configured) {
    List<VipAddress> present = driver.addresses(iface);
    List<VipAddress> leftovers = configured.stream()
        .filter(vip -> present.stream().anyMatch(p -> p.ip().equals(vip.ip()))).toList();
    if (leftovers.isEmpty()) return;
    context.getLog().warn("removing leftover VIPs {} from {}: this node owns nothing at start", leftovers, iface);
    driver.remove(iface, leftovers);
  }
}
