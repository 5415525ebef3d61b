package io.vipkeeper.node.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Map;

/**
 * The HTTP management API (JSON): read views, the changing calls behind {@link Access}, and a
 * JSON error for everything else. See README "HTTP API".
 */
public final class ManagementApi {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Operations ops;
  private final Access access;
  private final Supplier<CompletionStage<String>> metrics;

  public ManagementApi(Operations ops, Access access, Supplier<CompletionStage<String>> metrics) {
    this.ops = ops;
    this.access = access;
    this.metrics = metrics;
  }

  /** These routes first, then {@code more} (pekko-management's), then a JSON 404. */
  public Route route(Route more) {
    return handleExceptions(ExceptionHandler.newBuilder().matchAny(e -> reply(Reply.error(500, String.valueOf(e)))).build(),
        () -> concat(
            path("alive", () -> get(() -> reply(Reply.ok(Map.of("alive", true))))),
            path("ready", () -> get(() -> replyWith(ops.ready()))),
            path("metrics", () -> get(() -> completeWithFuture(metrics.get().thenApply(ManagementApi::text)))),
            path("conflicts", () -> get(() -> replyWith(ops.conflicts()))),
            path("cluster", () -> get(() -> replyWith(ops.cluster()))),
            pathPrefix("vips", this::vips),
            pathPrefix("nodes", () -> pathPrefix(PathMatchers.segment(), node -> concat(
                path("drain", () -> post(() -> changing(() -> ops.drain(node, true)))),
                path("undrain", () -> post(() -> changing(() -> ops.drain(node, false))))))),
            more,
            extractRequest(r -> reply(Reply.error(404, "no endpoint " + r.method().value() + " " + r.getUri().path()
                + "; see README 'HTTP API'")))));
  }

  private Route vips() {
    return concat(
        pathEnd(() -> concat(
            get(() -> replyWith(ops.vips())),
            post(() -> body(json -> changing(() -> ops.add(json)))))),
        pathPrefix(PathMatchers.segment(), group -> concat(
            pathEnd(() -> delete(() -> changing(() -> ops.remove(group)))),
            path("history", () -> get(() -> replyWith(ops.history(group)))),
            path("move", () -> post(() -> body(json -> changing(() -> move(group, json))))))));
  }

  private CompletionStage<Reply> move(String group, String json) {
    return target(json).map(node -> ops.move(group, node)).orElseGet(() -> CompletableFuture.completedFuture(
        Reply.error(400, "the body must be {\"node\": \"<node name>\"}")));
  }

  /** A changing call: refused without the token, or (503) when this node's side would not survive. */
  private Route changing(Supplier<CompletionStage<Reply>> call) {
    return extractRequest(request -> {
      Optional<Reply> refused = access.check(request.getHeader("Authorization").map(HttpHeader::value));
      if (refused.isPresent()) return reply(refused.get());
      if (!ops.inMajority()) {
        return reply(Reply.error(503, "this node is not on the side of the cluster that would survive a split;"
            + " ask a node in the majority (GET /cluster)"));
      }
      return replyWith(call.get());
    });
  }

  /** The request body as text; malformed JSON is a 400 before anything else happens. */
  private Route body(Function<String, Route> inner) {
    return entity(Unmarshaller.entityToString(), text -> {
      try {
        ClusterOperations.object(text);
      } catch (ClusterOperations.BadRequest e) {
        return reply(Reply.error(400, e.getMessage()));
      }
      return inner.apply(text);
    });
  }

  private static Optional<String> target(String json) {
    JsonNode node = ClusterOperations.object(json).get("node");
    return node != null && node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
  }

  private static Route replyWith(CompletionStage<Reply> reply) {
    return completeWithFuture(reply.thenApply(ManagementApi::response));
  }

  private static Route reply(Reply reply) {
    return complete(response(reply));
  }

  static HttpResponse response(Reply reply) {
    String body;
    try {
      body = JSON.writeValueAsString(reply.body());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return HttpResponse.create().withStatus(StatusCodes.get(reply.status()))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private static HttpResponse text(String body) {
    return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, body));
  }
}
