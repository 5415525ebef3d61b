package io.vipkeeper.holder;

import io.vipkeeper.CborSerializable;
import io.vipkeeper.OwnershipChanged;
import io.vipkeeper.driver.AddressSighting;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * ARP is not authenticated: another host that answers for a VIP (a misconfigured server, a stale
 * holder outside the cluster) silently takes part of the traffic. This watches what the wire says
 * about the VIPs. A holder that sees another MAC answer for one of its addresses logs an ADDRESS
 * CONFLICT with that MAC, counts it and has the interface actor announce again (at most once per
 * reannounce-interval per group); a node that does not hold a VIP but sees an earlier MAC answer
 * again within a few seconds of another taking over (A, B, A: two hosts answering) reports that too.
 * A move (A ... then B ...) is not a conflict.
 */
public final class ConflictWatch {

  public sealed interface Command {}

  public record Seen(AddressSighting sighting) implements Command {}

  public record Owned(OwnershipChanged change) implements Command {}

  public record GetConflicts(ActorRef<Conflicts> replyTo) implements Command {}

  /** Every group there is now (configured and added at run time): the addresses to watch. */
  public record Groups(List<VipGroup> groups) implements Command {}

  /** One report: {@code held} true when this node holds the address and another MAC answered. */
  public record Conflict(String group, String ip, String otherMac, String kind, boolean held, long atMillis) implements CborSerializable {}

  public record Conflicts(long total, List<Conflict> recent) implements CborSerializable {}

  private static final int RECENT = 50;
  private static final long TWO_MACS_WINDOW = Duration.ofSeconds(5).toNanos();

  /** {@code reannounce} asks the interface actor for a new announcement burst of a group. */
  public static Behavior<Command> create(List<VipGroup> groups, String ownMac, Duration reannounceInterval,
      ActorRef<String> reannounce) {
    return Behaviors.setup(context -> new ConflictWatch(context, groups, ownMac, reannounceInterval, reannounce).behavior());
  }

  /** The MAC answering for an address now, since when, and the one that answered before it. */
  private record Answer(String mac, long sinceNanos, String before) {}

  private final ActorContext<Command> context;
  private final Map<String, VipGroup> groupOf = new HashMap<>();
  private final String ownMac;
  private final long reannounceNanos;
  private final ActorRef<String> reannounce;
  private final Set<String> held = new HashSet<>();
  private final Map<String, Long> lastReannounce = new HashMap<>();
  private final Map<String, Answer> lastAnswer = new HashMap<>();
  private final Deque<Conflict> recent = new ArrayDeque<>();
  private long total;

  private ConflictWatch(ActorContext<Command> context, List<VipGroup> groups, String ownMac, Duration reannounceInterval,
      ActorRef<String> reannounce) {
    this.context = context;
    watch(groups);
    this.ownMac = ownMac.toLowerCase();
    this.reannounceNanos = reannounceInterval.toNanos();
    this.reannounce = reannounce;
  }

  private void watch(List<VipGroup> groups) {
    groupOf.clear();
    for (VipGroup g : groups) for (VipAddress a : g.addresses()) groupOf.put(a.ip(), g);
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Seen.class, s -> onSeen(s.sighting()))
        .onMessage(Owned.class, o -> {
          if (o.change().held()) held.add(o.change().group());
          else held.remove(o.change().group());
          return Behaviors.same();
        })
        .onMessage(Groups.class, g -> { watch(g.groups()); return Behaviors.same(); })
        .onMessage(GetConflicts.class, q -> {
          q.replyTo().tell(new Conflicts(total, List.copyOf(recent)));
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onSeen(AddressSighting s) {
    if (s.isRequest()) return Behaviors.same(); // who asks for whom; the WireWitness keeps that
    VipGroup group = groupOf.get(s.ip());
    if (group == null) return Behaviors.same();
    String mac = s.mac().toLowerCase();
    if (held.contains(group.name())) {
      if (!mac.equals(ownMac) && !mac.equalsIgnoreCase(group.mac())) onForeignAnswer(group, s, mac);
      return Behaviors.same();
    }
    long now = System.nanoTime();
    Answer current = lastAnswer.get(s.ip());
    if (current == null) {
      lastAnswer.put(s.ip(), new Answer(mac, now, ""));
    } else if (!current.mac().equals(mac)) {
      lastAnswer.put(s.ip(), new Answer(mac, now, current.mac()));
      if (mac.equals(current.before()) && now - current.sinceNanos() < TWO_MACS_WINDOW) {
        context.getLog().warn("ADDRESS CONFLICT ip={} group={}: two MACs answer for it, {} and {} ({}); this node does not hold it",
            s.ip(), group.name(), current.mac(), mac, s.kind());
        record(new Conflict(group.name(), s.ip(), current.mac(), s.kind(), false, System.currentTimeMillis()));
      }
    }
    return Behaviors.same();
  }

  private void onForeignAnswer(VipGroup group, AddressSighting s, String mac) {
    context.getLog().error("ADDRESS CONFLICT ip={} group={}: {} answers for it ({}) while this node holds it; announcing again",
        s.ip(), group.name(), mac, s.kind());
    record(new Conflict(group.name(), s.ip(), mac, s.kind(), true, System.currentTimeMillis()));
    long now = System.nanoTime();
    Long last = lastReannounce.get(group.name());
    if (last == null || now - last >= reannounceNanos) {
      lastReannounce.put(group.name(), now);
      reannounce.tell(group.name());
    }
  }

  private void record(Conflict conflict) {
    total++;
    recent.addLast(conflict);
    if (recent.size() > RECENT) recent.removeFirst();
  }
}
