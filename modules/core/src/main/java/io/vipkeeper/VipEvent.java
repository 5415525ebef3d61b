package io.vipkeeper;

/**
 * What vipkeeper publishes on the ActorSystem's event stream, for metrics and for an embedding
 * service: a finished takeover (on the decider's node) and a failed address change (on the node
 * whose kernel refused it). Serializable: a decider's status carries its last takeover.
 */
public sealed interface VipEvent extends CborSerializable {

  /**
   * A group placed on a node, with the time each phase took: detection (until the decider suspected
   * the holder), the promise round, the wait for the old lease, the claim; {@code totalMillis} from
   * detection to the new holder's claim.
   */
  record Takeover(String group, TakeoverPath path, String from, String to, long epoch, long totalMillis, long atEpochMillis,
      long detectionMillis, long promiseMillis, long leaseWaitMillis, long releaseMillis, long claimMillis) implements VipEvent {}

  /** Which NIC change failed. */
  enum NicAction { CLAIM, RELEASE }

  record NicFailure(String group, NicAction action, String error) implements VipEvent {}

  /** None of {@code askedNodes} saw the gratuitous ARP of {@code ip} at {@code mac} after a claim of {@code group}. */
  record AnnouncementNotSeen(String group, String ip, String mac, java.util.List<String> askedNodes) implements VipEvent {}
}
