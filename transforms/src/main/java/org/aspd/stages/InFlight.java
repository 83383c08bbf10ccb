package org.aspd.stages;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * At most {@code limit} tasks running at once on a private pool, results handed back in
 * submission order. {@link #submit} blocks only when the limit is reached.
 */
final class InFlight<T> implements AutoCloseable {
  private final int limit;
  private final ExecutorService pool;
  private final Deque<Future<T>> queue = new ArrayDeque<>();

  InFlight(int limit, String threadName) {
    this.limit = limit;
    this.pool = Executors.newFixedThreadPool(limit, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts {@code task}, then hands every finished result (in order) to {@code done}. */
  void submit(Callable<T> task, Consumer<T> done) throws Exception {
    queue.add(pool.submit(task));
    while (!queue.isEmpty() && (queue.peek().isDone() || queue.size() >= limit)) {
      done.accept(await(queue.poll()));
    }
  }

  /** Waits for every task still running and hands over their results. */
  void drain(Consumer<T> done) throws Exception {
    while (!queue.isEmpty()) {
      done.accept(await(queue.poll()));
    }
  }

  int pending() {
    return queue.size();
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
