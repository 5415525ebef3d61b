package io.vipkeeper.actor;

import io.vipkeeper.safety.Quorum;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The members that count in a split, as the resolver counts them (joining and weakly-up do not),
 * and the member an actor reference belongs to.
 */
public final class Voters {

  private Voters() {}

  public static List<Quorum.Voter> of(Cluster cluster) {
    List<Quorum.Voter> voters = new ArrayList<>();
    for (Member m : cluster.state().getMembers()) {
      MemberStatus s = m.status();
      if (s == MemberStatus.up() || s == MemberStatus.leaving() || s == MemberStatus.exiting() || s == MemberStatus.down()) {
        voters.add(new Quorum.Voter(m.address().toString(), m.upNumber()));
      }
    }
    return voters;
  }

  /** The voters this node's failure detector reaches (itself included). */
  public static Set<String> reachable(Cluster cluster) {
    Set<Member> unreachable = cluster.state().getUnreachable();
    return of(cluster).stream().map(Quorum.Voter::address)
        .filter(a -> unreachable.stream().noneMatch(u -> u.address().toString().equals(a)))
        .collect(Collectors.toSet());
  }

  /** Whether the voters this node reaches would stay up in a split, by the resolver's rule. */
  public static boolean reachableSideSurvives(Quorum quorum, Cluster cluster) {
    return quorum.survives(reachable(cluster), of(cluster));
  }

  /** The cluster address of the node {@code ref} lives on (a local reference has none of its own). */
  static String addressOf(Cluster cluster, ActorRef<?> ref) {
    var address = ref.path().address();
    return (address.hasLocalScope() ? cluster.selfMember().address() : address).toString();
  }
}
