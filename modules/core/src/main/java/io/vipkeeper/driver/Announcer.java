package io.vipkeeper.driver;

import io.vipkeeper.model.VipAddress;
import java.util.List;

/**
 * Tells the subnet where the addresses now live. One call sends one round of announcements (every
 * configured frame form for every address); the interface actor paces the rounds. Send errors are
 * thrown as {@link DriverException}; they must never stop a claim or a release.
 */
public interface Announcer extends AutoCloseable {

  /**
   * Sends one round for {@code addresses} from {@code mac} ("" = the interface's own), as far as
   * the pacing allows now; never waits. Returns the addresses not yet announced, in order (empty:
   * all sent): the caller sends them a moment later, so a large group never blocks its thread.
   */
  List<VipAddress> announce(List<VipAddress> addresses, String mac);

  /**
   * Sends one frame from {@code mac} that switches learn from and that is not ARP (see
   * SwitchLearningFrame): a virtual MAC's new port is known even where gratuitous ARP is dropped.
   */
  void teachSwitches(String mac);

  /**
   * Tells each of {@code neighbours} directly that the IPv4 {@code address} is at {@code mac} ("" =
   * the interface's own): an ARP request from the VIP to the neighbour, which it applies even where
   * gratuitous ARP is dropped on the way. Not paced: a handful of frames per claim.
   */
  void tellNeighbours(VipAddress address, String mac, List<Neighbour> neighbours);

  /** Frames sent so far, for logs and metrics. */
  long framesSent();

  @Override
  void close();
}
