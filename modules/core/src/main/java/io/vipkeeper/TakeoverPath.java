package io.vipkeeper;

import java.util.Locale;

/** Why a group was placed (again): the path its takeover took, as logs and metrics name it. */
public enum TakeoverPath {
  /** The holder stopped renewing its lease (crash, freeze, cut off). */
  LEASE,
  /** The holder left the cluster or was downed. */
  REMOVED,
  /** The holder let go on its own (link down, failing check, lost quorum). */
  RELEASED,
  /** A planned move: an operator, a rebalance, a holder leaving, a preempting node. */
  MOVE,
  /** The holder's node is being drained. */
  DRAIN,
  /** A (new) decider found nobody holding the group, as after the node running both failed. */
  DECIDER_START;

  /** lease, removed, released, move, drain, decider-start. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
