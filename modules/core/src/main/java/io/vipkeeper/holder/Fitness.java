package io.vipkeeper.holder;

/**
 * Whether this node may hold VIPs now, and if not why: its side of a split would not survive, its
 * interface is down, or its health check fails. Any of them makes it release and refuse claims.
 */
record Fitness(String noQuorum, boolean linkDown, String checkFailing) {

  static final Fitness FIT = new Fitness("", false, "");

  boolean fit() {
    return noQuorum.isEmpty() && !linkDown && checkFailing.isEmpty();
  }

  /** Why a claim is refused; "" when fit. */
  String why(String iface) {
    if (!noQuorum.isEmpty()) return "this node's side would not survive a split (" + noQuorum + ")";
    if (linkDown) return iface + " is down";
    return checkFailing;
  }

  Fitness withQuorum(String why) {
    return new Fitness(why, linkDown, checkFailing);
  }

  Fitness withLinkDown(boolean down) {
    return new Fitness(noQuorum, down, checkFailing);
  }

  Fitness withCheck(String failing) {
    return new Fitness(noQuorum, linkDown, failing);
  }
}
