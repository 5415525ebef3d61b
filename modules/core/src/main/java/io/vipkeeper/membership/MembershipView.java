package io.vipkeeper.membership;

import java.util.Set;

/** What placement needs to know of the members, by cluster address: plain data, so it is tested without a cluster. */
public interface MembershipView {

  /** A member that is not removed. */
  boolean isMember(String address);

  boolean isUpAndReachable(String address);

  /** Lower is older; a node that is not a member comes last. */
  int age(String address);

  Set<String> roles(String address);
}
