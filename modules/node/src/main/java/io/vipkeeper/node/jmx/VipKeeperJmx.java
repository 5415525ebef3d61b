package io.vipkeeper.node.jmx;

import io.vipkeeper.node.api.Operations;
import io.vipkeeper.node.api.Reply;
import io.vipkeeper.node.api.VipTable;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** The MBean: every call goes through the same {@link Operations} as the HTTP API. */
public final class VipKeeperJmx implements VipKeeperMXBean {

  private static final long TIMEOUT_SECONDS = 20;
  private final Operations ops;

  public VipKeeperJmx(Operations ops) {
    this.ops = ops;
  }

  /** Registers in the platform MBean server; returns the name it was registered under. */
  public static ObjectName register(Operations ops, String node) throws javax.management.JMException {
    ObjectName name = new ObjectName("io.vipkeeper:type=VipKeeper,node=" + ObjectName.quote(node));
    ManagementFactory.getPlatformMBeanServer().registerMBean(new VipKeeperJmx(ops), name);
    return name;
  }

  @Override
  public String[] getGroups() {
    return VipTable.rows(vips()).stream().map(r -> String.join(" ", r)).toArray(String[]::new);
  }

  @Override
  @SuppressWarnings("unchecked")
  public String[] getDrainedNodes() {
    return vips().stream().flatMap(g -> ((Map<String, Map<String, Object>>) g.get("nodes")).entrySet().stream())
        .filter(e -> Boolean.TRUE.equals(e.getValue().get("drained"))).map(Map.Entry::getKey).distinct().sorted()
        .toArray(String[]::new);
  }

  @Override
  public boolean isInMajority() {
    return ops.inMajority();
  }

  @Override
  public String list() {
    return VipTable.render(vips());
  }

  @Override
  public String move(String group, String node) {
    return changing(() -> ops.move(group, node));
  }

  @Override
  public String drain(String node) {
    return changing(() -> ops.drain(node, true));
  }

  @Override
  public String undrain(String node) {
    return changing(() -> ops.drain(node, false));
  }

  /** The majority check comes first: on the losing side of a split the change is not even started. */
  private String changing(java.util.function.Supplier<CompletionStage<Reply>> call) {
    if (!ops.inMajority()) throw new IllegalStateException("this node is not on the side of the cluster that would survive a split");
    Reply reply = await(call.get());
    if (reply.failed()) throw new IllegalArgumentException(String.valueOf(((Map<?, ?>) reply.body()).get("error")));
    return String.valueOf(reply.body());
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> vips() {
    return (List<Map<String, Object>>) await(ops.vips()).body();
  }

  private static Reply await(CompletionStage<Reply> call) {
    try {
      return call.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(String.valueOf(e.getCause()));
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
