package io.vipkeeper.holder;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vipkeeper.CborSerializable;
import io.vipkeeper.driver.AddressSighting;
import io.vipkeeper.driver.Neighbour;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What this node's sensor saw on the wire about the VIPs, for two questions. Another node that
 * just claimed asks whether its gratuitous ARP arrived here (where it did not, the segment drops
 * them: see {@link AnnouncementCheck}). This node, after a claim, asks which hosts talk to the VIP:
 * those seen asking for it, and those the old holder asked for (their MAC unknown then), so it can
 * tell them directly.
 */
public final class WireWitness {

  public sealed interface Command {}

  /** What another node may ask (through its interface actor: see {@link InterfaceActor.AskWitness}). */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = SawAnnouncement.class, name = "saw-announcement"),
      @JsonSubTypes.Type(value = GetNeighbours.class, name = "get-neighbours")})
  public sealed interface Question extends Command, CborSerializable {

    /** Answers for {@code node}, which has no witness (no capture): it cannot tell. */
    void cannotTell(NodeIdentity node);
  }

  public record Seen(AddressSighting sighting) implements Command {}

  /** Every group there is now: the addresses to keep track of. */
  public record Groups(List<VipGroup> groups) implements Command {}

  /** Whether a gratuitous ARP for {@code ip} from {@code mac} arrived in the last {@code within}. */
  public record SawAnnouncement(String ip, String mac, Duration within, ActorRef<Sighted> replyTo) implements Question {

    @Override
    public void cannotTell(NodeIdentity node) {
      replyTo.tell(new Sighted(node, false, false));
    }
  }

  /** {@code watching} false: this node has no sensor and cannot tell. */
  public record Sighted(NodeIdentity node, boolean watching, boolean seen) implements CborSerializable {}

  /** The hosts known to talk to each of {@code ips}. */
  public record GetNeighbours(List<String> ips, ActorRef<Neighbours> replyTo) implements Question {

    @Override
    public void cannotTell(NodeIdentity node) {
      replyTo.tell(new Neighbours(Map.of()));
    }
  }

  public record Neighbours(Map<String, List<Neighbour>> byVip) implements CborSerializable {}

  /** Per VIP, at most this many talkers are kept (the most recent). */
  static final int TALKERS_PER_VIP = 256;

  private record Announcement(String mac, long atNanos) {}

  public static Behavior<Command> create(NodeIdentity node, List<VipGroup> groups) {
    return Behaviors.setup(context -> new WireWitness(node, groups).behavior());
  }

  private final NodeIdentity node;
  private final Set<String> vips = new HashSet<>();
  private final Map<String, Announcement> announced = new HashMap<>();
  private final Map<String, LinkedHashMap<String, String>> talkers = new HashMap<>();

  private WireWitness(NodeIdentity node, List<VipGroup> groups) {
    this.node = node;
    watch(groups);
  }

  private void watch(List<VipGroup> groups) {
    vips.clear();
    for (VipGroup g : groups) for (VipAddress a : g.addresses()) vips.add(a.ip());
    announced.keySet().retainAll(vips);
    talkers.keySet().retainAll(vips);
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Seen.class, s -> { onSeen(s.sighting()); return Behaviors.same(); })
        .onMessage(Groups.class, g -> { watch(g.groups()); return Behaviors.same(); })
        .onMessage(SawAnnouncement.class, q -> { q.replyTo().tell(new Sighted(node, true, saw(q))); return Behaviors.same(); })
        .onMessage(GetNeighbours.class, q -> { q.replyTo().tell(neighbours(q.ips())); return Behaviors.same(); })
        .build();
  }

  private void onSeen(AddressSighting s) {
    if (s.kind().equals("gratuitous-arp") && vips.contains(s.ip())) {
      announced.put(s.ip(), new Announcement(s.mac().toLowerCase(), System.nanoTime()));
    } else if (s.isRequest() && vips.contains(s.asked()) && !vips.contains(s.ip())) {
      remember(s.asked(), s.ip(), s.mac().toLowerCase()); // a host asks where the VIP is
    } else if (s.isRequest() && vips.contains(s.ip()) && !vips.contains(s.asked())) {
      remember(s.ip(), s.asked(), ""); // the holder asks for a host it answers: a client of the VIP
    }
  }

  /** Keeps a known MAC when the newer sighting has none; the most recent talker last. */
  private void remember(String vip, String ip, String mac) {
    LinkedHashMap<String, String> known = talkers.computeIfAbsent(vip, k -> new LinkedHashMap<>());
    String before = known.remove(ip);
    known.put(ip, mac.isEmpty() && before != null ? before : mac);
    if (known.size() > TALKERS_PER_VIP) known.remove(known.keySet().iterator().next());
  }

  private boolean saw(SawAnnouncement q) {
    Announcement a = announced.get(q.ip());
    return a != null && a.mac().equalsIgnoreCase(q.mac()) && System.nanoTime() - a.atNanos() <= q.within().toNanos();
  }

  private Neighbours neighbours(List<String> ips) {
    Map<String, List<Neighbour>> byVip = new HashMap<>();
    for (String ip : ips) {
      Map<String, String> known = talkers.getOrDefault(ip, new LinkedHashMap<>());
      byVip.put(ip, known.entrySet().stream().map(e -> new Neighbour(e.getKey(), e.getValue())).toList());
    }
    return new Neighbours(byVip);
  }
}
