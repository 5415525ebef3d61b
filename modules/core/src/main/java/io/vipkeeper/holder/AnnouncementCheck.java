package io.vipkeeper.holder;

import io.vipkeeper.VipEvent;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * After a claim: did the gratuitous ARP reach the segment? Asks every other node's
 * {@link WireWitness} whether it saw the announcement of the group's first IPv4 address from the
 * MAC that now answers. When nodes that can tell answered and none saw it, the segment drops
 * gratuitous ARP (an ARP inspection or rate policy): clients may keep the old MAC until their entry
 * expires. It logs GARP NOT SEEN with the advice and publishes {@link VipEvent.AnnouncementNotSeen}.
 */
final class AnnouncementCheck {

  /** Answers later than this count as "cannot tell": a busy node is not a dropping switch. */
  private static final Duration WAIT = Duration.ofSeconds(1);

  private AnnouncementCheck() {}

  /** {@code told}: the holder also tells the hosts it knows directly (announce.tell-neighbours). */
  static Behavior<WitnessPoll.Command> create(VipGroup group, String ip, String mac, Duration within, boolean told,
      ActorRef<InterfaceActor.Command> self) {
    return WitnessPoll.create(WireWitness.Sighted.class, r -> new WireWitness.SawAnnouncement(ip, mac, within, r), self, false, WAIT, answer -> {},
        (context, answers, asked) -> verdict(context, answers, asked, group, ip, mac, told));
  }

  private static void verdict(ActorContext<?> context, List<WireWitness.Sighted> answers, int asked, VipGroup group, String ip, String mac,
      boolean told) {
    List<String> watching = answers.stream().filter(WireWitness.Sighted::watching).map(s -> s.node().name()).toList();
    List<String> saw = answers.stream().filter(WireWitness.Sighted::seen).map(s -> s.node().name()).toList();
    if (watching.isEmpty()) {
      context.getLog().debug("announcement check of group {}: none of {} other node(s) can tell", group.name(), asked);
    } else if (!saw.isEmpty()) {
      context.getLog().debug("announcement check of group {}: seen by {}", group.name(), saw);
    } else if (group.virtualMac()) {
      context.getLog().info("GARP NOT SEEN group={} ip={} mac={}: none of {} saw this node's gratuitous ARP; the segment drops"
          + " them, the virtual MAC still moves (switch-learning frames)", group.name(), ip, mac, watching);
      publish(context, group, ip, mac, watching);
    } else {
      context.getLog().warn("GARP NOT SEEN group={} ip={} mac={}: none of {} saw this node's gratuitous ARP; the segment drops"
          + " them and clients may keep the old MAC until their ARP entry expires: use mode = vmac for this group{}",
          group.name(), ip, mac, watching, told ? " (the hosts seen talking to it were told directly)" : ", or set vipkeeper.announce.tell-neighbours = on");
      publish(context, group, ip, mac, watching);
    }
  }

  private static void publish(ActorContext<?> context, VipGroup group, String ip, String mac, List<String> watching) {
    context.getSystem().eventStream().tell(new EventStream.Publish<>(new VipEvent.AnnouncementNotSeen(group.name(), ip, mac, watching)));
  }
}
