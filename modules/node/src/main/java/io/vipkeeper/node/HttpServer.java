package io.vipkeeper.node;

import com.typesafe.config.Config;
import io.vipkeeper.VipKeeper;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.node.api.Access;
import io.vipkeeper.node.api.ClusterOperations;
import io.vipkeeper.node.api.ManagementApi;
import io.vipkeeper.node.jmx.VipKeeperJmx;
import io.vipkeeper.node.metrics.Metrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's management surfaces: the HTTP API with /metrics and pekko-management's cluster and
 * health routes on {@code vipkeeper.http} (VIPKEEPER_HTTP), and the MBean.
 */
final class HttpServer {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  static void start(ActorSystem<?> system, VipKeeper keeper, Drivers drivers, String node) {
    Config config = system.settings().config().getConfig("vipkeeper");
    ClusterOperations ops = new ClusterOperations(system, keeper);
    if (config.getBoolean("jmx.enabled")) registerMBean(ops, node);
    Config http = config.getConfig("http");
    if (!http.getBoolean("enabled")) return;
    String host = http.getString("host");
    int port = http.getInt("port");
    Access access = Access.of(http.getString("require-token"), http.getString("token"), host);
    if (access.required() && access.token().isEmpty()) {
      log.warn("the management API on {} is outside loopback and has no token: its changing calls are refused;"
          + " set vipkeeper.http.token (VIPKEEPER_HTTP_TOKEN)", host);
    }
    Metrics metrics = new Metrics(system, node, drivers.announcer(), ops::localHoldings, ops::localConflicts);
    ManagementApi api = new ManagementApi(ops, access, metrics::scrape);
    ServerBuilder server = Http.get(system).newServerAt(host, port);
    boolean https = http.getBoolean("https");
    if (https) server = server.enableHttps(ConnectionContext.httpsServer(TlsContexts.server(system.settings().config())));
    String scheme = https ? "https" : "http";
    server.bind(api.route(PekkoManagement.get(system.classicSystem()).getRoutes()))
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            log.error("cannot serve http on {}:{} ({}); set VIPKEEPER_HTTP to a free host:port", host, port, failure.getMessage());
          } else {
            log.info("management API at {}://{}:{}/vips (token {})", scheme, host, port, access.required() ? "required" : "not required");
          }
        });
  }

  private static void registerMBean(ClusterOperations ops, String node) {
    try {
      log.info("management MBean {}", VipKeeperJmx.register(ops, node));
    } catch (javax.management.JMException e) {
      log.error("cannot register the management MBean: {}", e.getMessage());
    }
  }
}
