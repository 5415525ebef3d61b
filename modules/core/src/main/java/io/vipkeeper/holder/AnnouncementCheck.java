package io.vipkeeper.holder;

import io.vipkeeper.VipEvent;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * After a claim: did the gratuitous ARP reach the segment? Asks every other node's
 * {@link WireWitness} whether it saw the announcement of the group's first IPv4 address from the
 * MAC that now answers. When nodes that can tell answered and none saw it, the segment drops
 * gratuitous ARP (an ARP inspection or rate policy): clients may keep the old MAC until their entry
 * expires. It logs GARP NOT SEEN with the advice and publishes {@link VipEvent.AnnouncementNotSeen};
 * then it stops. One per claim, short-lived.
 */
final class AnnouncementCheck {

  sealed interface Command {}

  private record Listed(Receptionist.Listing listing) implements Command {}

  private record Answer(WireWitness.Sighted sighted) implements Command {}

  private enum Timeout implements Command { INSTANCE }

  /** Answers later than this count as "cannot tell": a busy node is not a dropping switch. */
  private static final Duration WAIT = Duration.ofSeconds(1);

  /** {@code told}: the holder also tells the hosts it knows directly (announce.tell-neighbours). */
  static Behavior<Command> create(VipGroup group, String ip, String mac, Duration within, boolean told, ActorRef<InterfaceActor.Command> self) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.find(InterfaceActor.KEY, context.messageAdapter(Receptionist.Listing.class, Listed::new)));
      return Behaviors.receive(Command.class)
          .onMessage(Listed.class, l -> ask(context, l.listing(), new WireWitness.SawAnnouncement(ip, mac, within,
              context.messageAdapter(WireWitness.Sighted.class, Answer::new)), self, group, ip, mac, told))
          .build();
    });
  }

  private static Behavior<Command> ask(ActorContext<Command> context, Receptionist.Listing listing, WireWitness.SawAnnouncement question,
      ActorRef<InterfaceActor.Command> self, VipGroup group, String ip, String mac, boolean told) {
    List<ActorRef<InterfaceActor.Command>> others = listing.getServiceInstances(InterfaceActor.KEY).stream().filter(r -> !r.equals(self)).toList();
    if (others.isEmpty()) return Behaviors.stopped();
    others.forEach(other -> other.tell(new InterfaceActor.AskWitness(question)));
    return Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Timeout.INSTANCE, WAIT);
      List<WireWitness.Sighted> answers = new ArrayList<>();
      return Behaviors.receive(Command.class)
          .onMessage(Answer.class, a -> {
            answers.add(a.sighted());
            return answers.size() < others.size() ? Behaviors.same() : verdict(context, answers, others.size(), group, ip, mac, told);
          })
          .onMessage(Timeout.class, t -> verdict(context, answers, others.size(), group, ip, mac, told))
          .build();
    });
  }

  private static Behavior<Command> verdict(ActorContext<Command> context, List<WireWitness.Sighted> answers, int asked, VipGroup group,
      String ip, String mac, boolean told) {
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
    return Behaviors.stopped();
  }

  private static void publish(ActorContext<Command> context, VipGroup group, String ip, String mac, List<String> watching) {
    context.getSystem().eventStream().tell(new EventStream.Publish<>(new VipEvent.AnnouncementNotSeen(group.name(), ip, mac, watching)));
  }
}
