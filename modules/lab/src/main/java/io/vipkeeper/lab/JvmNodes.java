package io.vipkeeper.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Lab nodes that each run one JVM ({@link NodeProcess}): the process side every such kind shares. */
abstract class JvmNodes implements Nodes {

  /** Node i is at index i - 1. */
  protected final List<NodeProcess> nodes = new ArrayList<>();

  @Override
  public void crash(int i) throws Exception {
    nodes.get(i - 1).kill9();
  }

  @Override
  public void stop(int i) throws Exception {
    nodes.get(i - 1).terminate(30);
  }

  @Override
  public void signalStop(int i) {
    nodes.get(i - 1).handle().ifPresent(ProcessHandle::destroy);
  }

  @Override
  public boolean running(int i) {
    return alive(i);
  }

  public boolean alive(int i) {
    return nodes.get(i - 1).alive();
  }

  @Override
  public List<ProcessHandle> processes(int i) {
    return nodes.get(i - 1).handle().map(List::of).orElse(List.of());
  }

  @Override
  public String log(int i) {
    return nodes.get(i - 1).log();
  }

  /**
   * When a leader moved node {@code i} to Up since its latest start (epoch ms, from the logs): no
   * member counts it as a candidate before then.
   */
  public OptionalLong upAt(int i) {
    String up = "Leader is moving node [pekko://vipkeeper@" + LabAddresses.nodeIp(i) + ":25520] to [Up]";
    long since = nodes.get(i - 1).startedAtMillis();
    return java.util.stream.IntStream.rangeClosed(1, nodes.size()).boxed()
        .flatMap(n -> List.of(log(n).split("\n")).stream())
        .filter(l -> l.contains(up))
        .mapToLong(l -> LogTime.millis(l).orElse(0))
        .filter(t -> t >= since - 1)
        .min();
  }

  @Override
  public void close() {
    for (NodeProcess node : nodes) {
      try {
        node.kill9();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
