package io.vipkeeper.node.jmx;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.node.api.Operations;
import io.vipkeeper.node.api.Reply;
import java.lang.management.ManagementFactory;
import java.rmi.registry.LocateRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import java.net.ServerSocket;

/** The MBean through a real RMI connector on loopback, as JConsole would reach it. */
class VipKeeperJmxTest {

  private final List<String> calls = new ArrayList<>();

  private final Operations ops = new Operations() {
    private CompletionStage<Reply> record(String call, Reply reply) {
      calls.add(call);
      return CompletableFuture.completedFuture(reply);
    }

    @Override public CompletionStage<Reply> vips() {
      return record("vips", Reply.ok(List.of(Map.of("group", "web", "mode", "garp", "addresses", List.of("198.18.0.50/24"),
          "holder", "n1", "epoch", 4, "nodes", Map.of("n1", Map.of("drained", false), "n2", Map.of("drained", true))))));
    }
    @Override public CompletionStage<Reply> history(String group) { return record("history", Reply.ok(List.of())); }
    @Override public CompletionStage<Reply> cluster() { return record("cluster", Reply.ok(Map.of())); }
    @Override public CompletionStage<Reply> add(String json) { return record("add", Reply.ok(Map.of())); }
    @Override public CompletionStage<Reply> remove(String group) { return record("remove", Reply.ok(Map.of())); }
    @Override public CompletionStage<Reply> move(String group, String node) {
      return record("move " + group + " " + node, node.equals("n2") ? Reply.ok(Map.of("moved", true))
          : Reply.error(409, "node " + node + " is drained; undrain it first"));
    }
    @Override public CompletionStage<Reply> drain(String node, boolean drained) { return record("drain " + node, Reply.ok(Map.of())); }
    @Override public CompletionStage<Reply> ready() { return record("ready", Reply.ok(Map.of())); }
    @Override public CompletionStage<Reply> conflicts() { return record("conflicts", Reply.ok(Map.of())); }
    @Override public boolean inMajority() { return majority; }
  };
  private volatile boolean majority = true;

  @Test
  void jconsoleStyleClientReadsAttributesAndCallsMove() throws Exception {
    ObjectName name = VipKeeperJmx.register(ops, "jmx-test");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    LocateRegistry.createRegistry(port);
    JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + port + "/jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
    JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(url, null, ManagementFactory.getPlatformMBeanServer());
    server.start();
    try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
      MBeanServerConnection remote = connector.getMBeanServerConnection();
      String[] groups = (String[]) remote.getAttribute(name, "Groups");
      assertEquals(1, groups.length);
      assertTrue(groups[0].startsWith("web garp 198.18.0.50/24 n1 4"), groups[0]);
      assertArrayEquals(new String[] {"n2"}, (String[]) remote.getAttribute(name, "DrainedNodes"));
      Object moved = remote.invoke(name, "move", new Object[] {"web", "n2"}, new String[] {"java.lang.String", "java.lang.String"});
      assertTrue(String.valueOf(moved).contains("moved=true"), String.valueOf(moved));
      Exception refused = assertThrows(Exception.class,
          () -> remote.invoke(name, "move", new Object[] {"web", "n3"}, new String[] {"java.lang.String", "java.lang.String"}));
      assertTrue(String.valueOf(refused.getCause() != null ? refused.getCause() : refused).contains("drained"), String.valueOf(refused));
      String table = (String) remote.invoke(name, "list", new Object[0], new String[0]);
      assertTrue(table.startsWith("GROUP") && table.contains("web"), table);
    } finally {
      server.stop();
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    }
    assertTrue(calls.containsAll(List.of("move web n2", "move web n3")), calls.toString());
  }

  @Test
  void onTheLosingSideAChangeIsNotEvenStarted() {
    majority = false;
    VipKeeperJmx jmx = new VipKeeperJmx(ops);
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> jmx.drain("n2"));
    assertTrue(refused.getMessage().contains("survive a split"), refused.getMessage());
    assertThrows(IllegalStateException.class, () -> jmx.move("web", "n2"));
    assertFalse(calls.stream().anyMatch(c -> c.startsWith("drain") || c.startsWith("move")), "nothing was started: " + calls);
  }
}
