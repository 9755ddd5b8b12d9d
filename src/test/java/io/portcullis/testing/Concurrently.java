package io.portcullis.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Calls released together, to show that one of them wins and the others learn so. */
public final class Concurrently {
  private Concurrently() {}

  /** Runs {@code call} {@code times} times at once on {@code pool}; their answers. */
  public static <T> List<T> atOnce(ExecutorService pool, int times, Callable<T> call) throws Exception {
    return atOnce(pool, Collections.nCopies(times, call));
  }

  /** Runs every call at once on {@code pool}; their answers, in the calls' order. */
  public static <T> List<T> atOnce(ExecutorService pool, List<Callable<T>> calls) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> call : calls) {
      futures.add(pool.submit(() -> {
        go.await();
        return call.call();
      }));
    }
    go.countDown();
    List<T> answers = new ArrayList<>();
    for (Future<T> future : futures) {
      answers.add(future.get());
    }
    return answers;
  }
}
