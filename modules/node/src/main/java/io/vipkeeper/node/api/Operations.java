package io.vipkeeper.node.api;

import java.util.concurrent.CompletionStage;

/**
 * What the management API, the MBean and the CLI can do, in one place. Each answer carries its
 * status: 400 bad input, 404 unknown group or node, 409 a move or change that conflicts (drained
 * or unhealthy target, name or address taken), 503 this node is not on the side that would
 * survive a split.
 */
public interface Operations {

  /** Every group: mode, addresses, holder, epoch, since when, the last takeover, each node's state. */
  CompletionStage<Reply> vips();

  /** Claims, releases and promises of one group from every node's journal, oldest first. */
  CompletionStage<Reply> history(String group);

  /** Members, status, reachability, and what the split brain resolver would keep. */
  CompletionStage<Reply> cluster();

  /** Adds a group from its JSON definition ({@code name} plus the config file's group block). */
  CompletionStage<Reply> add(String json);

  CompletionStage<Reply> remove(String group);

  /** A planned, graceful move to the named node; waits (bounded) until it holds the group. */
  CompletionStage<Reply> move(String group, String node);

  /** Drains (or undrains) a node; when draining, waits (bounded) until it holds nothing. */
  CompletionStage<Reply> drain(String node, boolean drained);

  /** 200 when this node is an Up member whose interface can hold VIPs, else 503 with the reason. */
  CompletionStage<Reply> ready();

  /** Address conflicts this node has seen (another MAC answering for a VIP). */
  CompletionStage<Reply> conflicts();

  /** Whether this node's side would survive a split: changing calls are refused otherwise. */
  boolean inMajority();
}
