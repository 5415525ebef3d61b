package io.vipkeeper.node.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One answer shared by the requests that come while it is being asked for, and for {@code fresh}
 * after: a flood of reads costs the actors behind them one question, not one each.
 */
final class SharedAnswer<T> {

  private final long freshNanos;
  private CompletableFuture<T> recent;
  private long at;

  SharedAnswer(Duration fresh) {
    this.freshNanos = fresh.toNanos();
  }

  synchronized CompletionStage<T> get(Supplier<CompletionStage<T>> ask) {
    if (recent != null && (!recent.isDone() || System.nanoTime() - at < freshNanos)) return recent;
    at = System.nanoTime();
    recent = ask.get().toCompletableFuture();
    return recent;
  }
}
