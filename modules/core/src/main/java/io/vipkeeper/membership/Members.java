package io.vipkeeper.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.remote.FailureDetectorRegistry;

/**
 * The one reading of the cluster's membership, by cluster address (as a string): who votes in a
 * split (as the resolver counts: joining and weakly-up do not), who is reachable, Up, leaving,
 * and which member an actor reference lives on. Deciders, leases, the quorum watch, the placement
 * board and the management views all ask here.
 */
public final class Members implements MembershipView {

  private final Cluster cluster;
  private final org.apache.pekko.cluster.Cluster classic;
  private final List<String> seeds;

  public Members(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
    this.classic = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system));
    var config = system.settings().config();
    this.seeds = config.hasPath("pekko.cluster.seed-nodes") ? List.copyOf(config.getStringList("pekko.cluster.seed-nodes")) : List.of();
  }

  /**
   * The configured seed nodes that have not been Up yet (not {@link #voters}), as addresses. A seed
   * that is still Joining counts as not there: it is no candidate yet, and placing before it is Up
   * puts a group that prefers it elsewhere (in one CI run the first placement came 40 ms after its
   * Welcome).
   */
  public List<String> seedsNotUp() {
    var up = voters().stream().map(Quorum.Voter::address).collect(Collectors.toSet());
    return seeds.stream().filter(s -> !up.contains(s)).toList();
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

  /** The voters this node's own failure detector reaches (itself included). */
  public Set<String> reachableVoters() {
    return voters().stream().map(Quorum.Voter::address).filter(this::reachesDirectly).collect(Collectors.toSet());
  }

  /**
   * Whether this node's own failure detector reaches {@code address}. The cluster's unreachable
   * set merges every member's observations: just after a heal, the member that was cut off still
   * reports the others unreachable until its next heartbeats reach them (up to 700 ms), and a
   * member of the majority that read the merged set counted itself cut off and released. A member
   * this node does not monitor (beyond monitored-by-nr-of-members) counts as the merged set has it.
   */
  public boolean reachesDirectly(String address) {
    if (address.equals(selfAddress())) return true;
    FailureDetectorRegistry<Address> detector = classic.failureDetector();
    Address member = AddressFromURIString.parse(address);
    return detector.isMonitoring(member) ? detector.isAvailable(member) : isReachable(address);
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
