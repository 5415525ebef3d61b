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
import io.vipkeeper.LogSafe;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP management API (JSON): read views, the changing calls behind {@link Access}, and a
 * JSON error for everything else. See README "HTTP API" and "Security". A changing call is
 * checked in this order, so a stranger costs nothing: the token, a browser's Origin, the content
 * type, the body's size (64 KB, read only after the token passed), its JSON (depth-limited),
 * this node's side of a split. At most {@link #MAX_IN_FLIGHT} requests run at once; more get 503.
 */
public final class ManagementApi {

  private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Largest request body read. */
  public static final int MAX_BODY = 64 * 1024;
  /** Requests served at once; enough for operators and scrapers, too few to crowd the node. */
  public static final int MAX_IN_FLIGHT = 32;
  private static final long BODY_READ_MILLIS = 5_000;

  private final AtomicInteger inFlight = new AtomicInteger();

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
    // The handler inside the bound: a request that fails still completes, so its slot is given back.
    return bounded(() -> handleExceptions(ExceptionHandler.newBuilder().matchAny(ManagementApi::internal).build(), () -> concat(
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
            extractRequest(r -> reply(Reply.error(404, "no endpoint " + r.method().value() + " " + LogSafe.of(r.getUri().path())
                + "; see README 'HTTP API'"))))));
  }

  /** Requests being served now (for tests and metrics). */
  int inFlight() {
    return inFlight.get();
  }

  /** At most MAX_IN_FLIGHT requests at once: the rest are told to come back, not queued. */
  private Route bounded(Supplier<Route> inner) {
    return extractRequest(request -> {
      if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
        inFlight.decrementAndGet();
        return reply(Reply.error(503, "busy: more than " + MAX_IN_FLIGHT + " requests at once on this node; try again shortly"));
      }
      return mapRouteResultFuture(result -> result.whenComplete((r, e) -> inFlight.decrementAndGet()), inner);
    });
  }

  /** An unexpected failure: the detail goes to the log, never to the caller. */
  private static Route internal(Throwable e) {
    log.error("management API: a request failed", e);
    return reply(Reply.error(500, "internal error; the node's log has the detail"));
  }

  private Route vips() {
    return concat(
        pathEnd(() -> concat(
            get(() -> replyWith(ops.vips())),
            post(() -> changingWithBody(ops::add)))),
        pathPrefix(PathMatchers.segment(), group -> concat(
            pathEnd(() -> delete(() -> changing(() -> ops.remove(group)))),
            path("history", () -> get(() -> replyWith(ops.history(group)))),
            path("move", () -> post(() -> changingWithBody(json -> move(group, json)))))));
  }

  private CompletionStage<Reply> move(String group, String json) {
    return target(json).map(node -> ops.move(group, node)).orElseGet(() -> CompletableFuture.completedFuture(
        Reply.error(400, "the body must be {\"node\": \"<node name>\"}")));
  }

  /** A changing call without a body. */
  private Route changing(Supplier<CompletionStage<Reply>> call) {
    return admitted(() -> Optional.empty(), () -> replyWith(call.get()));
  }

  /** A changing call with a JSON object body, read (at most MAX_BODY) only once the caller is admitted. */
  private Route changingWithBody(Function<String, CompletionStage<Reply>> call) {
    return extractRequest(request -> admitted(() -> bodyProblem(request), () -> readBody(request.entity(), json -> {
      try {
        ClusterOperations.object(json);
      } catch (io.vipkeeper.config.GroupDefinition.Invalid e) {
        return reply(Reply.error(400, e.getMessage()));
      }
      return replyWith(call.apply(json));
    })));
  }

  /** The token, then a browser's Origin, then {@code more}, then the side of a split; {@code then} only when all pass. */
  private Route admitted(Supplier<Optional<Reply>> more, Supplier<Route> then) {
    return extractRequest(request -> {
      Optional<Reply> refused = access.check(request.getHeader("Authorization").map(HttpHeader::value))
          .or(() -> request.getHeader("Origin").map(o -> Reply.error(403, "requests from a browser page (Origin "
              + LogSafe.of(o.value()) + ") are refused; use the CLI, curl or another HTTP client")))
          .or(more);
      if (refused.isPresent()) return reply(refused.get());
      if (!ops.inMajority()) {
        return reply(Reply.error(503, "this node is not on the side of the cluster that would survive a split;"
            + " ask a node in the majority (GET /cluster)"));
      }
      return then.get();
    });
  }

  /** Content type and declared size, before a byte of the body is read. */
  private static Optional<Reply> bodyProblem(HttpRequest request) {
    HttpEntity entity = request.entity();
    if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
      return Optional.of(Reply.error(415, "the body must be JSON: send 'Content-Type: application/json'"));
    }
    if (entity.getContentLengthOption().orElse(0L) > MAX_BODY) return Optional.of(tooLarge());
    return Optional.empty();
  }

  /** Reads at most MAX_BODY bytes (a body sent without a length is cut there too). */
  private static Route readBody(HttpEntity entity, Function<String, Route> inner) {
    return extractMaterializer(materializer -> onComplete(
        entity.withSizeLimit(MAX_BODY).toStrict(BODY_READ_MILLIS, materializer),
        read -> read.isSuccess() ? inner.apply(read.get().getData().utf8String())
            : reply(read.failed().get() instanceof org.apache.pekko.http.scaladsl.model.EntityStreamSizeException ? tooLarge()
                : Reply.error(400, "the body could not be read in " + BODY_READ_MILLIS / 1000 + " s"))));
  }

  private static Reply tooLarge() {
    return Reply.error(413, "the body is larger than " + MAX_BODY / 1024 + " KB; a group definition is far smaller");
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
