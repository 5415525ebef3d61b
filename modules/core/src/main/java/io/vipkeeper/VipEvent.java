package io.vipkeeper;

/**
 * What vipkeeper publishes on the ActorSystem's event stream, for metrics and for an embedding
 * service: a finished takeover (on the decider's node) and a failed address change (on the node
 * whose kernel refused it). Serializable: a decider's status carries its last takeover.
 */
public sealed interface VipEvent extends CborSerializable {

  /**
   * A group placed on a node. {@code path}: lease, removed, released, move, drain or decider-start (see
   * README "Holder leases"); {@code totalMillis} from detection to the new holder's claim.
   */
  record Takeover(String group, String path, String from, String to, long epoch, long totalMillis, long atEpochMillis)
      implements VipEvent {}

  /** {@code action}: claim or release. */
  record NicFailure(String group, String action, String error) implements VipEvent {}
}
