package io.vipkeeper.holder;

/**
 * Whether this node may hold VIPs now, and if not why: its side of a split would not survive, its
 * interface is down, or its health check fails. Any of them makes it release and refuse claims.
 * A node that is stopping refuses claims but keeps what it holds until its deciders moved it.
 */
record Fitness(String noQuorum, boolean linkDown, String checkFailing, boolean witness, String journal, boolean stopping) {

  static final Fitness FIT = new Fitness("", false, "", false, "", false);

  /** A witness is never fit to hold: it only votes. */
  static final Fitness WITNESS = new Fitness("", false, "", true, "", false);

  boolean fit() {
    return !witness && !stopping && journal.isEmpty() && noQuorum.isEmpty() && !linkDown && checkFailing.isEmpty();
  }

  /** Why a claim is refused; "" when fit. */
  String why(String iface) {
    if (witness) return "this node is a witness (vipkeeper.role = witness): it votes but holds no VIPs";
    if (stopping) return "this node is stopping: its groups move away";
    if (!journal.isEmpty()) return "this node is an observer: " + journal;
    if (!noQuorum.isEmpty()) return "this node's side would not survive a split (" + noQuorum + ")";
    if (linkDown) return iface + " is down";
    return checkFailing;
  }

  Fitness withQuorum(String why) {
    return new Fitness(why, linkDown, checkFailing, witness, journal, stopping);
  }

  Fitness withLinkDown(boolean down) {
    return new Fitness(noQuorum, down, checkFailing, witness, journal, stopping);
  }

  /** {@code failing}: why the epoch journal cannot be written ("" once it can again). */
  Fitness withJournal(String failing) {
    return new Fitness(noQuorum, linkDown, checkFailing, witness, failing, stopping);
  }

  /** A planned stop: no more claims, what is held stays until its decider moves it. */
  Fitness withStopping() {
    return new Fitness(noQuorum, linkDown, checkFailing, witness, journal, true);
  }

  Fitness withCheck(String failing) {
    return new Fitness(noQuorum, linkDown, failing, witness, journal, stopping);
  }
}
