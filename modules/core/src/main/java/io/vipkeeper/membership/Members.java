package io.vipkeeper.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The one reading of the cluster's membership, by cluster address (as a string): who votes in a
 * split (as the resolver counts: joining and weakly-up do not), who is reachable, Up, leaving,
 * and which member an actor reference lives on. Deciders, leases, the quorum watch, the placement
 * board and the management views all ask here.
 */
public final class Members implements MembershipView {

  private final Cluster cluster;

  public Members(Cluster cluster) {
    this.cluster = cluster;
  }

  public List<Quorum.Voter> voters() {
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
  public Set<String> reachableVoters() {
    return voters().stream().map(Quorum.Voter::address).filter(this::isReachable).collect(Collectors.toSet());
  }

  /** Whether the voters this node reaches would stay up in a split, by the resolver's rule. */
  public boolean reachableSideSurvives(Quorum quorum) {
    return quorum.survives(reachableVoters(), voters());
  }

  public boolean exitingOrDown(String address) {
    Optional<Member> m = member(address);
    return m.isPresent() && (m.get().status() == MemberStatus.exiting() || m.get().status() == MemberStatus.down());
  }

  /** Leaving or exiting: on its way out, by its own will. */
  public boolean leavingOrExiting(String address) {
    Optional<Member> m = member(address);
    return m.isPresent() && (m.get().status() == MemberStatus.leaving() || m.get().status() == MemberStatus.exiting());
  }

  public boolean isReachable(String address) {
    return cluster.state().getUnreachable().stream().noneMatch(m -> m.address().toString().equals(address));
  }

  @Override
  public boolean isUpAndReachable(String address) {
    Optional<Member> member = member(address);
    return member.isPresent() && member.get().status() == MemberStatus.up() && isReachable(address);
  }

  @Override
  public boolean isMember(String address) {
    return member(address).isPresent();
  }

  /** Addresses of the members that are Up and reachable. */
  public List<String> upAndReachable() {
    List<String> up = new ArrayList<>();
    for (Member m : cluster.state().getMembers()) if (isUpAndReachable(m.address().toString())) up.add(m.address().toString());
    return up;
  }

  /** The member at {@code address}, unless it is gone. */
  public Optional<Member> member(String address) {
    for (Member m : cluster.state().getMembers()) {
      if (m.address().toString().equals(address) && m.status() != MemberStatus.removed()) return Optional.of(m);
    }
    return Optional.empty();
  }

  @Override
  public int age(String address) {
    return member(address).map(Member::upNumber).orElse(Integer.MAX_VALUE);
  }

  @Override
  public Set<String> roles(String address) {
    return member(address).map(m -> Set.copyOf(m.getRoles())).orElse(Set.of());
  }

  /** The cluster address of the node {@code ref} lives on (a local reference has none of its own). */
  public String addressOf(ActorRef<?> ref) {
    var address = ref.path().address();
    return (address.hasLocalScope() ? cluster.selfMember().address() : address).toString();
  }

  public String selfAddress() {
    return cluster.selfMember().address().toString();
  }
}
