package io.vipkeeper.actor;

import io.vipkeeper.safety.Quorum;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** What a decider asks of the membership, by cluster address (as a string). */
final class Members {

  private final Cluster cluster;

  Members(Cluster cluster) {
    this.cluster = cluster;
  }

  List<Quorum.Voter> voters() {
    return Voters.of(cluster);
  }

  boolean exitingOrDown(String address) {
    Optional<Member> m = member(address);
    return m.isPresent() && (m.get().status() == MemberStatus.exiting() || m.get().status() == MemberStatus.down());
  }

  boolean isReachable(String address) {
    return cluster.state().getUnreachable().stream().noneMatch(m -> m.address().toString().equals(address));
  }

  boolean isUpAndReachable(String address) {
    Optional<Member> member = member(address);
    return member.isPresent() && member.get().status() == MemberStatus.up() && isReachable(address);
  }

  /** The member at {@code address}, unless it is gone. */
  Optional<Member> member(String address) {
    for (Member m : cluster.state().getMembers()) {
      if (m.address().toString().equals(address) && m.status() != MemberStatus.removed()) return Optional.of(m);
    }
    return Optional.empty();
  }

  /** Lower is older; a node that is not a member comes last. */
  int age(NodeIdentity node) {
    return member(node.address()).map(Member::upNumber).orElse(Integer.MAX_VALUE);
  }

  String addressOf(ActorRef<?> ref) {
    return Voters.addressOf(cluster, ref);
  }

  String selfAddress() {
    return cluster.selfMember().address().toString();
  }
}
