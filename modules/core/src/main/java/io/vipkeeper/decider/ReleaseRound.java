package io.vipkeeper.decider;

import io.vipkeeper.model.NodeIdentity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The release half of a move: the nodes still to confirm, and whether any went quiet instead. */
final class ReleaseRound {

  sealed interface Outcome {}

  enum Waiting implements Outcome { INSTANCE }

  /** A node answered that it could not release: the claim must not go on. */
  record Refused(String reason) implements Outcome {}

  /** Every node released or went quiet; {@code quiet}: some did not confirm, so their leases are waited out. */
  record Released(boolean quiet) implements Outcome {}

  private final Set<NodeIdentity> waiting;
  private boolean quiet;

  ReleaseRound(List<NodeIdentity> from) {
    this.waiting = new HashSet<>(from);
  }

  boolean waitsFor(NodeIdentity node) {
    return waiting.contains(node);
  }

  Set<NodeIdentity> waiting() {
    return Set.copyOf(waiting);
  }

  /** {@code answered} false: the node never answered (stopped, crashed, leaving). */
  Outcome answered(NodeIdentity node, boolean released, boolean answered, String error) {
    if (!released && answered) return new Refused(node.name() + " did not release (" + error + "); not claiming elsewhere");
    waiting.remove(node);
    quiet |= !released;
    return waiting.isEmpty() ? new Released(quiet) : Waiting.INSTANCE;
  }
}
