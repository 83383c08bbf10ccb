package org.aspd.stages;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * At most {@code limit} tasks running at once on a private pool. Results are handed back in
 * completion order, so one slow task (a sample with many groups to judge) never keeps the other
 * slots from being refilled. {@link #submit} blocks only while the limit is reached.
 */
final class InFlight<T> implements AutoCloseable {
  private final int limit;
  private final ExecutorService pool;
  private final CompletionService<T> completions;
  private int pending;

  InFlight(int limit, String threadName) {
    this.limit = limit;
    this.pool = Executors.newFixedThreadPool(limit, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    this.completions = new ExecutorCompletionService<>(pool);
  }

  /** Starts {@code task}, then hands every finished result to {@code done}. */
  void submit(Callable<T> task, Consumer<T> done) throws Exception {
    completions.submit(task);
    pending++;
    Future<T> finished;
    while ((finished = completions.poll()) != null) {
      pending--;
      done.accept(await(finished));
    }
    while (pending >= limit) {
      pending--;
      done.accept(await(completions.take()));
    }
  }

  /** Waits for every task still running and hands over their results. */
  void drain(Consumer<T> done) throws Exception {
    while (pending > 0) {
      pending--;
      done.accept(await(completions.take()));
    }
  }

  int pending() {
    return pending;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }
}
