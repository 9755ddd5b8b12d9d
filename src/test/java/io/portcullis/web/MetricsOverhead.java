package io.portcullis.web;

import com.google.gson.JsonParser;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.RouteRule;
import io.portcullis.oauth.BearerTokenValidator;
import io.portcullis.store.AccessToken;
import io.portcullis.store.CaffeineTokenStore;
import io.portcullis.store.TokenStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.LongAdder;

/**
 * What metrics add to one bearer check, in process and without HTTP around it: the same
 * {@link BearerTokenValidator} over a real {@link CaffeineTokenStore}, once as a deployment with
 * metrics off runs it, once as with metrics on (the store behind the timing proxy, and the
 * check counted with its route). Rounds alternate; the median of each is reported, and the
 * difference set against the server CPU a guarded request costs over HTTP (docs/benchmarks.md).
 *
 * <pre>java -cp target/classes:target/test-classes:… io.portcullis.web.MetricsOverhead [--rounds 10] [--checks 2000000] [--threads 1]</pre>
 */
public final class MetricsOverhead {
  private MetricsOverhead() {}

  public static void main(String[] args) throws Exception {
    int rounds = 10;
    int checks = 2_000_000;
    int threads = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--checks" -> checks = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    PortcullisConfig config = ConfigLoader.load("overhead.json", JsonParser.parseString("""
        {"clients": [{"clientId": "app", "clientSecret": "{noop}secret", "redirectUris": ["https://app.example/cb"],
          "scopes": ["email"]}],
         "routes": [{"path": "/public/*", "public": true}, {"path": "/guarded/*", "scopes": ["email"]}]}"""));
    Clock clock = Clock.systemUTC();
    TokenStore store = new CaffeineTokenStore(config.store(), clock);
    long now = clock.instant().getEpochSecond();
    store.saveAccessToken("the-token", new AccessToken(1, "app", "alice", "email", now, now + 86_400));
    List<String> header = List.of("Bearer the-token");
    String path = "/guarded/item";

    BearerTokenValidator off = new BearerTokenValidator(config, store);
    PortcullisMetrics metrics = new PortcullisMetrics(true);
    BearerTokenValidator on = new BearerTokenValidator(config, metrics.timed(store));
    Check withoutMetrics = () -> off.check(path, header).isPresent();
    Check withMetrics = () -> {
      boolean passed = on.check(path, header).isPresent();
      metrics.bearerCheck(passed ? "pass" : "public", config.routeFor(path).map(RouteRule::path).orElse("none"));
      return passed;
    };

    System.out.printf(Locale.ROOT, "%d rounds of %,d checks on %d thread(s), alternating; %d CPUs, %s%n",
        rounds, checks, threads, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    for (int warm = 0; warm < 3; warm++) { // JIT
      run(withoutMetrics, checks, threads);
      run(withMetrics, checks, threads);
    }
    List<Double> offNs = new ArrayList<>();
    List<Double> onNs = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      boolean offFirst = round % 2 == 0;
      double a = run(offFirst ? withoutMetrics : withMetrics, checks, threads);
      double b = run(offFirst ? withMetrics : withoutMetrics, checks, threads);
      offNs.add(offFirst ? a : b);
      onNs.add(offFirst ? b : a);
      System.out.printf(Locale.ROOT, "round %d: metrics off %.1f ns/check, on %.1f ns/check%n", round + 1,
          offNs.get(round), onNs.get(round));
    }
    double offMedian = median(offNs);
    double onMedian = median(onNs);
    System.out.printf(Locale.ROOT, "RESULT threads=%d off_ns=%.1f on_ns=%.1f added_ns=%.1f (spread off %.1f-%.1f, on %.1f-%.1f)%n",
        threads, offMedian, onMedian, onMedian - offMedian, Collections.min(offNs), Collections.max(offNs),
        Collections.min(onNs), Collections.max(onNs));
    metrics.close();
    store.close();
  }

  private interface Check {
    boolean run();
  }

  /** Nanoseconds of wall time per check, {@code threads} checking at once. */
  private static double run(Check check, int checks, int threads) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    LongAdder passed = new LongAdder();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        try {
          start.await();
          long n = 0;
          for (int i = 0; i < checks; i++) {
            if (check.run()) {
              n++;
            }
          }
          passed.add(n);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      worker.start();
      workers.add(worker);
    }
    start.await();
    long began = System.nanoTime();
    for (Thread worker : workers) {
      worker.join();
    }
    long took = System.nanoTime() - began;
    if (passed.sum() != (long) checks * threads) {
      throw new IllegalStateException("a check failed: " + passed.sum() + " of " + (long) checks * threads);
    }
    return (double) took / checks; // per check of one thread: the latency a request sees
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
