package io.vipkeeper.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The client: from the client namespace it sends a numbered UDP request to the VIP every few
 * milliseconds and records which node answered, and when (monotonic clock). Bounded: it stops
 * itself after {@code maxDuration} even if nobody closes it.
 */
public final class Probe implements AutoCloseable {

  /** One answer: when it arrived, which node sent it, and the request's number. */
  public record Answer(long nanos, String node, long seq) {}

  private final DatagramChannel channel;
  private final InetSocketAddress target;
  private final long intervalNanos;
  private final long deadline;
  private final List<Answer> answers = new ArrayList<>();
  private volatile boolean running = true;
  private long sent;

  private Probe(DatagramChannel channel, InetSocketAddress target, long intervalNanos, long maxNanos) {
    this.channel = channel;
    this.target = target;
    this.intervalNanos = intervalNanos;
    this.deadline = System.nanoTime() + maxNanos;
  }

  public static Probe start(Lab lab, String client, String vip, long intervalMillis, long maxSeconds) throws Exception {
    DatagramChannel channel = lab.inside(client, () -> DatagramChannel.open().bind(new InetSocketAddress(0)));
    Probe probe = new Probe(channel, new InetSocketAddress(vip, Responders.PORT), intervalMillis * 1_000_000, maxSeconds * 1_000_000_000L);
    Thread sender = new Thread(probe::send, "probe-send");
    Thread receiver = new Thread(probe::receive, "probe-receive");
    sender.setDaemon(true);
    receiver.setDaemon(true);
    sender.start();
    receiver.start();
    return probe;
  }

  private void send() {
    long next = System.nanoTime();
    try {
      while (running && System.nanoTime() < deadline) {
        String request = Long.toString(sent++);
        channel.send(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), target);
        next += intervalNanos;
        LockSupport.parkNanos(next - System.nanoTime());
      }
    } catch (IOException e) {
      if (running) System.err.println("probe send failed: " + e.getMessage());
    }
    running = false;
  }

  private void receive() {
    ByteBuffer in = ByteBuffer.allocate(256);
    try {
      while (true) {
        in.clear();
        channel.receive(in);
        long now = System.nanoTime();
        in.flip();
        String[] parts = StandardCharsets.US_ASCII.decode(in).toString().split(" ");
        if (parts.length != 2) continue;
        synchronized (answers) {
          answers.add(new Answer(now, parts[0], Long.parseLong(parts[1])));
        }
      }
    } catch (ClosedChannelException closed) {
      // closed by close()
    } catch (IOException e) {
      System.err.println("probe receive failed: " + e.getMessage());
    }
  }

  public List<Answer> answers() {
    synchronized (answers) {
      return List.copyOf(answers);
    }
  }

  public long sent() {
    return sent;
  }

  @Override
  public void close() throws IOException {
    running = false;
    channel.close();
  }
}
