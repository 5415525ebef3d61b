package io.vipkeeper.node;

import com.typesafe.config.Config;
import io.vipkeeper.VipKeeper;
import io.vipkeeper.actor.ConflictWatch;
import io.vipkeeper.actor.InterfaceActor;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GET /alive and /ready for supervisors and compose health checks; the read-only management views
 * /cluster and /vips (JSON); /conflicts (JSON) and /metrics (Prometheus text) for address
 * conflicts. The changing calls of the management API come later.
 */
final class HealthEndpoint {

  private static final Logger log = LoggerFactory.getLogger(HealthEndpoint.class);

  private HealthEndpoint() {}

  static void start(ActorSystem<?> system, VipKeeper keeper, io.vipkeeper.config.VipKeeperSettings settings) {
    Config http = system.settings().config().getConfig("vipkeeper.http");
    if (!http.getBoolean("enabled")) return;
    Route route = Directives.concat(
        Directives.path("alive", () -> Directives.get(() -> Directives.complete(json(StatusCodes.OK, "{\"alive\":true}")))),
        Directives.path("ready", () -> Directives.get(() -> Directives.completeWithFuture(ready(system, keeper)))),
        Directives.path("cluster", () -> Directives.get(() -> Directives.complete(json(StatusCodes.OK,
            toJson(ManagementView.cluster(system)))))),
        Directives.path("vips", () -> Directives.get(() -> Directives.completeWithFuture(ManagementView.vips(system, settings)
            .thenApply(v -> json(StatusCodes.OK, toJson(v)))))),
        Directives.path("conflicts", () -> Directives.get(() -> Directives.completeWithFuture(conflicts(system, keeper)
            .thenApply(c -> json(StatusCodes.OK, toJson(c)))))),
        Directives.path("metrics", () -> Directives.get(() -> Directives.completeWithFuture(conflicts(system, keeper)
            .thenApply(HealthEndpoint::metrics)))));
    Http.get(system).newServerAt(http.getString("host"), http.getInt("port")).bind(route).whenComplete((binding, failure) -> {
      if (failure != null) {
        log.error("cannot serve http on {}:{} ({}); set VIPKEEPER_HTTP to a free host:port", http.getString("host"),
            http.getInt("port"), failure.getMessage());
      } else {
        log.info("health endpoint at http://{}:{}/ready", http.getString("host"), http.getInt("port"));
      }
    });
  }

  /** Ready: an Up member whose interface actor can claim (link up, check passing, journal read). */
  private static CompletionStage<HttpResponse> ready(ActorSystem<?> system, VipKeeper keeper) {
    MemberStatus status = Cluster.get(system).selfMember().status();
    if (status != MemberStatus.up()) {
      return java.util.concurrent.CompletableFuture.completedFuture(
          json(StatusCodes.SERVICE_UNAVAILABLE, "{\"ready\":false,\"reason\":\"member is " + status + "\"}"));
    }
    return AskPattern.<InterfaceActor.Command, InterfaceActor.Holdings>ask(keeper.interfaceActor(),
            InterfaceActor.QueryHoldings::new, Duration.ofSeconds(2), system.scheduler())
        .thenApply(h -> h.canClaim()
            ? json(StatusCodes.OK, "{\"ready\":true,\"holds\":" + h.held().keySet().stream().map(g -> "\"" + g + "\"").toList() + "}")
            : json(StatusCodes.SERVICE_UNAVAILABLE, "{\"ready\":false,\"reason\":\"interface unhealthy or no quorum\"}"))
        .exceptionally(e -> json(StatusCodes.SERVICE_UNAVAILABLE, "{\"ready\":false,\"reason\":\"no answer from the interface actor\"}"));
  }

  private static CompletionStage<ConflictWatch.Conflicts> conflicts(ActorSystem<?> system, VipKeeper keeper) {
    return AskPattern.<InterfaceActor.Command, ConflictWatch.Conflicts>ask(keeper.interfaceActor(),
        InterfaceActor.QueryConflicts::new, Duration.ofSeconds(2), system.scheduler());
  }

  /** Prometheus text format (the management work adds ownership and takeover metrics here). */
  private static HttpResponse metrics(ConflictWatch.Conflicts c) {
    String body = "# HELP vipkeeper_address_conflicts_total Frames in which another MAC answered for a VIP.\n"
        + "# TYPE vipkeeper_address_conflicts_total counter\n"
        + "vipkeeper_address_conflicts_total " + c.total() + "\n";
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, body));
  }

  private static String toJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

  private static HttpResponse json(StatusCode status, String body) {
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
