package io.vipkeeper.actor;

import io.vipkeeper.safety.Quorum;
import java.util.ArrayList;
import java.util.List;
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

  /** The cluster address of the node {@code ref} lives on (a local reference has none of its own). */
  static String addressOf(Cluster cluster, ActorRef<?> ref) {
    var address = ref.path().address();
    return (address.hasLocalScope() ? cluster.selfMember().address() : address).toString();
  }
}
