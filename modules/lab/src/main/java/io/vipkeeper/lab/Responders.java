package io.vipkeeper.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The service behind the VIP: on each lab node a UDP socket bound to VIP:5050 (ip_nonlocal_bind
 * lets it bind while the node does not hold the VIP) that answers with the node's name. Packets
 * reach it only on the node whose kernel holds the VIP, so an answer names the holder.
 */
public final class Responders implements AutoCloseable {

  public static final int PORT = 5050;
  private final Lab lab;
  private final String vip;
  private final Map<String, DatagramChannel> open = new HashMap<>();

  public Responders(Lab lab, String vip) {
    this.lab = lab;
    this.vip = vip;
  }

  /** Starts the responder of {@code host} (n1, n2, ...); a crashed node's is closed first. */
  public synchronized void start(String host) throws Exception {
    stop(host);
    // Reuse: a socket just closed under a blocked receive may not have let go of the port yet.
    DatagramChannel channel = lab.inside(host, () -> DatagramChannel.open()
        .setOption(StandardSocketOptions.SO_REUSEADDR, true).bind(new InetSocketAddress(vip, PORT)));
    open.put(host, channel);
    Thread thread = new Thread(() -> serve(host, channel), "responder-" + host);
    thread.setDaemon(true);
    thread.start();
  }

  public synchronized void stop(String host) throws IOException {
    DatagramChannel channel = open.remove(host);
    if (channel != null) channel.close();
  }

  private static void serve(String host, DatagramChannel channel) {
    ByteBuffer in = ByteBuffer.allocate(256);
    while (channel.isOpen()) {
      try {
        in.clear();
        SocketAddress from = channel.receive(in);
        in.flip();
        String request = StandardCharsets.US_ASCII.decode(in).toString();
        channel.send(ByteBuffer.wrap((host + " " + request).getBytes(StandardCharsets.US_ASCII)), from);
      } catch (ClosedChannelException closed) {
        return; // stopped: the node "crashed" or the lab is closing
      } catch (IOException e) {
        // One answer lost (the VIP or the route went away under it, as in a flapping link): keep
        // serving, or this node would look silent for the rest of the test.
        System.err.println("responder " + host + ": " + e.getMessage());
      }
    }
  }

  @Override
  public synchronized void close() throws IOException {
    for (String host : Map.copyOf(open).keySet()) stop(host);
  }
}
