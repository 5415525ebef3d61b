package io.vipkeeper.node.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Operations for route tests: records each call and answers as a small cluster with group "web" and nodes n1, n2 would. */
public final class RecordingOperations implements Operations {

  final List<String> calls = new ArrayList<>();
  volatile boolean majority = true;
  /** When set, GET /conflicts waits for it (requests held in flight); when it fails, so does the call. */
  volatile CompletableFuture<Reply> conflictsGate;

  private CompletionStage<Reply> answer(String call, Reply reply) {
    synchronized (calls) {
      calls.add(call);
    }
    return CompletableFuture.completedFuture(reply);
  }

  @Override
  public CompletionStage<Reply> vips() {
    return answer("vips", Reply.ok(List.of(Map.of("group", "web", "holder", "n1", "epoch", 3))));
  }

  @Override
  public CompletionStage<Reply> history(String group) {
    return answer("history " + group, group.equals("web") ? Reply.ok(List.of(Map.of("event", "claimed", "node", "n1")))
        : Reply.error(404, "no group " + group));
  }

  @Override
  public CompletionStage<Reply> cluster() {
    return answer("cluster", Reply.ok(Map.of("members", List.of())));
  }

  @Override
  public CompletionStage<Reply> add(String json) {
    return answer("add " + json, json.contains("\"web\"") ? Reply.error(409, "group web is defined in the config file")
        : new Reply(201, Map.of("added", true)));
  }

  @Override
  public CompletionStage<Reply> remove(String group) {
    return answer("remove " + group, group.equals("web") ? Reply.ok(Map.of("removed", true)) : Reply.error(404, "no group " + group));
  }

  @Override
  public CompletionStage<Reply> move(String group, String node) {
    if (!group.equals("web")) return answer("move " + group + " " + node, Reply.error(404, "no group " + group));
    return answer("move " + group + " " + node, node.equals("n2") ? Reply.ok(Map.of("moved", true))
        : Reply.error(409, "node " + node + " is drained; undrain it first"));
  }

  @Override
  public CompletionStage<Reply> drain(String node, boolean drained) {
    return answer((drained ? "drain " : "undrain ") + node, node.startsWith("n") ? Reply.ok(Map.of("node", node, "drained", drained))
        : Reply.error(404, "no node " + node));
  }

  @Override
  public CompletionStage<Reply> ready() {
    return answer("ready", Reply.ok(Map.of("ready", true)));
  }

  @Override
  public CompletionStage<Reply> conflicts() {
    if (conflictsGate != null) return conflictsGate;
    return answer("conflicts", Reply.ok(Map.of("total", 0)));
  }

  @Override
  public boolean inMajority() {
    return majority;
  }
}
