package io.vipkeeper.node;

import com.typesafe.config.Config;
import io.vipkeeper.config.SettingsException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * The cluster port is free before anything touches the kernel. The same configuration run twice
 * on one host (a hand-run copy beside the service, with another data-dir) would otherwise remove
 * the running node's live VIPs as leftovers before its ActorSystem found the port taken. Ports are
 * per network namespace, as interfaces are, so this finds a second node on the same interfaces.
 */
final class ClusterPortCheck {

  private ClusterPortCheck() {}

  /** Throws, saying {@code instead}, when something listens on the port this node's Artery binds. */
  static void free(Config config, String instead) {
    String host = orCanonical(config.getString("pekko.remote.artery.bind.hostname"), config.getString("pekko.remote.artery.canonical.hostname"));
    String port = orCanonical(config.getString("pekko.remote.artery.bind.port"), config.getString("pekko.remote.artery.canonical.port"));
    InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(port));
    if (address.isUnresolved() || address.getPort() == 0) return; // Artery says what is wrong
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // connections of a node that just exited (TIME_WAIT) do not count
      probe.bind(address);
    } catch (IOException inUse) {
      throw new SettingsException(List.of("the cluster port " + host + ":" + port + " is taken (" + inUse.getMessage()
          + "): another vipkeeper node with this configuration, or another program, listens there; " + instead));
    }
  }

  private static String orCanonical(String bind, String canonical) {
    return bind.isEmpty() ? canonical : bind;
  }
}
