package io.vipkeeper.lab;

import java.util.List;

/** The VIP keepers on the lab's nodes: vipkeeper JVMs or keepalived, driven the same way. */
public interface Nodes extends AutoCloseable {

  /** How this kind appears in reports, e.g. "vipkeeper" or "keepalived advert 0.1 s". */
  String label();

  void start(int node) throws Exception;

  /** A crash of the keeper: SIGKILL, nothing runs on the way out. */
  void crash(int node) throws Exception;

  /** A planned stop: SIGTERM, waits for the process to exit. */
  void stop(int node) throws Exception;

  /** SIGTERM without waiting: a stop that is still under way. */
  void signalStop(int node);

  /** Whether the keeper's process on {@code node} is running. */
  boolean running(int node);

  /** Processes that make up the keeper on {@code node}, for memory readings. */
  List<ProcessHandle> processes(int node);

  String log(int node);

  /** The node's structured events (takeovers with their phases), oldest first; none for keepers without them. */
  default List<NodeEvents.Event> events(int node) {
    return List.of();
  }

  /** Whether every started node has joined (for keepers without membership: always). */
  default boolean formed() {
    return true;
  }

  @Override
  void close();
}
