package io.portcullis.bench;

import io.portcullis.config.ClientRegistration;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.oauth.RandomValues;
import io.portcullis.store.AccessToken;
import io.portcullis.store.AuthorizationCode;
import io.portcullis.store.CodeRedemption;
import io.portcullis.store.RefreshToken;
import io.portcullis.store.RedisTokenStore;
import io.portcullis.store.TokenStore;
import io.portcullis.store.TokenStores;
import io.portcullis.testing.RedisServer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How much Redis memory one million live tokens take in the real {@code RedisTokenStore}: what
 * {@code INFO memory} {@code used_memory} grows by while they are saved, step by step.
 *
 * <ol>
 *   <li><b>access tokens</b>: each made as {@code TokenService} makes one (64 hex characters, a
 *       random grant id, the benchmark client and user, scope {@code email}, the client's TTL) and
 *       saved with {@code saveAccessToken}: its key, and one more in its bucket of the client's live-token count;
 *   <li><b>refresh tokens</b>, one per access token and of its grant, as a flow of a client that
 *       may refresh issues both ({@code saveRefreshToken});
 *   <li><b>spent-code markers</b>, one per grant: a code saved and redeemed
 *       ({@code saveAuthorizationCode}, {@code redeemAuthorizationCode}) leaves the marker that
 *       catches a replay, kept as long as the longest token lifetime.
 * </ol>
 *
 * The redis-server is the system's, started by the benchmark on a free loopback port without
 * persistence ({@link RedisServer}); the store is opened as {@code PortcullisBootstrap} opens it,
 * from the benchmark config with a Redis store section. The store API has no pipelining, so a few
 * threads save in parallel (by default 8, the size of the store's Jedis connection pool). Afterwards samples of every kind are read back through the store.
 *
 * <pre>
 *   java -cp ... io.portcullis.bench.RedisTokenMemory [--tokens 1000000] [--threads 8]
 *       [--steps access,refresh,spent-codes]
 * </pre>
 */
public final class RedisTokenMemory {

  private static final List<String> STEPS = List.of("access", "refresh", "spent-codes");
  /** A realistic S256 challenge: 43 base64url characters. */
  private static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  private RedisTokenMemory() {}

  /** What Redis reports at one moment. */
  private record Snapshot(long usedMemory, long clientBuffers, long rss, long keys) {
    static Snapshot of(RedisStats stats) {
      Map<String, String> memory = stats.info("memory");
      return new Snapshot(Long.parseLong(memory.get("used_memory")), Long.parseLong(memory.get("mem_clients_normal")),
          Long.parseLong(memory.get("used_memory_rss")), stats.keys());
    }
  }

  /** One step's outcome, for the summary. */
  private record Step(String name, int count, double seconds, Snapshot before, Snapshot after, long oneKeyBytes) {}

  /** The part of the work one thread does for token {@code i}. */
  private interface Save {
    void save(int i, RandomValues random, Instant now);
  }

  public static void main(String[] args) throws Exception {
    int count = 1_000_000;
    int threads = 8;
    List<String> steps = STEPS;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--tokens" -> count = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = List.of(args[i + 1].split(","));
        default -> usage();
      }
    }
    if (args.length % 2 != 0 || count < 100 || threads < 1 || !STEPS.containsAll(steps) || !steps.contains("access")) {
      usage();
    }

    try (RedisServer redis = new RedisServer().start(); RedisStats stats = new RedisStats(redis.port())) {
      PortcullisConfig config = BenchConfig.load(BenchConfig.redisStore(redis.uri(), null, 0));
      ClientRegistration client = config.client(BenchConfig.CLIENT_ID).orElseThrow();
      String username = config.user(BenchConfig.FAST_USER).orElseThrow().username();
      Clock clock = Clock.systemUTC();
      System.out.println("redis-server " + stats.info("server").get("redis_version") + " (" + redis.uri()
          + ", no persistence, maxmemory " + stats.info("memory").get("maxmemory") + "); " + count + " tokens of client "
          + client.clientId() + ", user " + username + ", scope " + BenchConfig.SCOPE + ", access TTL "
          + client.accessTokenTtl().getSeconds() + " s, refresh TTL " + client.refreshTokenTtl().getSeconds()
          + " s; spent-code markers kept " + config.longestTokenLifetime().getSeconds() + " s; " + threads
          + " threads saving");

      long[] grants = new long[count];
      String[] accessSamples = new String[100];
      String[] refreshSamples = new String[100];
      String[] codeSamples = new String[100];
      int stride = count / 100;
      List<Step> done = new ArrayList<>();
      try (TokenStore store = TokenStores.open(config.store(), clock, System::getenv)) {
        store.liveAccessTokens(client.clientId()); // the first connection, before the baseline
        String prefix = config.store().redis().orElseThrow().keyPrefix();

        done.add(step("access tokens", count, threads, stats, (i, random, now) -> {
          String token = random.token();
          grants[i] = random.grantId();
          store.saveAccessToken(token, new AccessToken(grants[i], client.clientId(), username, BenchConfig.SCOPE,
              now.getEpochSecond(), now.plus(client.accessTokenTtl()).getEpochSecond()));
          if (i % stride == 0 && i / stride < 100) {
            accessSamples[i / stride] = token;
          }
        }, () -> stats.memoryUsage(RedisTokenStore.key(prefix, "a", accessSamples[0]))));
        long liveSet = stats.memoryUsage(prefix + "{l:" + client.clientId() + "}");
        System.out.printf(Locale.ROOT, "  of which the client's live-token count (one hash of expiry buckets): %,d B, %.1f B per token%n",
            liveSet, (double) liveSet / count);

        if (steps.contains("refresh")) {
          done.add(step("refresh tokens", count, threads, stats, (i, random, now) -> {
            String token = random.token();
            store.saveRefreshToken(token, new RefreshToken(grants[i], client.clientId(), username, BenchConfig.SCOPE,
                now.getEpochSecond(), now.plus(client.refreshTokenTtl()).getEpochSecond(),
                now.plus(config.maxGrantLifetime()).getEpochSecond()));
            if (i % stride == 0 && i / stride < 100) {
              refreshSamples[i / stride] = token;
            }
          }, () -> stats.memoryUsage(RedisTokenStore.key(prefix, "r", refreshSamples[0]))));
        }
        if (steps.contains("spent-codes")) {
          done.add(step("spent-code markers", count, threads, stats, (i, random, now) -> {
            String code = random.code();
            store.saveAuthorizationCode(code, new AuthorizationCode(grants[i], client.clientId(), username,
                BenchConfig.REDIRECT_URI, true, BenchConfig.SCOPE, CHALLENGE, "S256", now,
                now.plus(config.authorizationCodeTtl())));
            if (!(store.redeemAuthorizationCode(code, now.plus(config.longestTokenLifetime()))
                instanceof CodeRedemption.Redeemed)) {
              throw new IllegalStateException("a fresh code was not redeemed");
            }
            if (i % stride == 0 && i / stride < 100) {
              codeSamples[i / stride] = code;
            }
          }, () -> stats.memoryUsage(RedisTokenStore.key(prefix, "c", codeSamples[0]) + "s")));
        }

        int found = 0;
        int expected = 0;
        for (int s = 0; s < 100; s++) {
          expected += 1 + (steps.contains("refresh") ? 1 : 0) + (steps.contains("spent-codes") ? 1 : 0);
          found += store.findAccessToken(accessSamples[s]).isPresent() ? 1 : 0;
          if (steps.contains("refresh")) {
            found += store.findRefreshToken(refreshSamples[s]).isPresent() ? 1 : 0;
          }
          if (steps.contains("spent-codes")) {
            found += store.redeemAuthorizationCode(codeSamples[s], Instant.now().plusSeconds(3600))
                instanceof CodeRedemption.AlreadyUsed ? 1 : 0;
          }
        }
        Snapshot end = Snapshot.of(stats);
        System.out.printf(Locale.ROOT, "samples read back through the store: %d of %d (access tokens found%s%s)%n",
            found, expected, steps.contains("refresh") ? ", refresh tokens found" : "",
            steps.contains("spent-codes") ? ", spent codes answered as already used" : "");
        System.out.printf(Locale.ROOT, "end: used_memory %.1f MB, used_memory_rss %.1f MB, %d keys, evicted_keys %s,"
                + " expired_keys %s%n", end.usedMemory() / 1e6, end.rss() / 1e6, end.keys(),
            stats.info("stats").get("evicted_keys"), stats.info("stats").get("expired_keys"));
        summary(done, count, liveSet);
        long expectedKeys = 1 + (long) count * done.size();
        if (found != expected || end.keys() != expectedKeys) {
          System.err.println("RedisTokenMemory: Redis does not hold every entry (" + end.keys() + " keys, expected "
              + expectedKeys + "; " + found + " of " + expected + " samples); the figures are not valid");
          System.exit(1);
        }
      }
    }
  }

  private static void usage() {
    System.err.println("usage: RedisTokenMemory [--tokens N (>= 100)] [--threads T] [--steps access,refresh,spent-codes]");
    System.exit(2);
  }

  /** Runs {@code save} for 0 … count-1 on {@code threads} threads and reports what Redis grew by. */
  private static Step step(String name, int count, int threads, RedisStats stats, Save save,
      java.util.function.LongSupplier oneKey) throws InterruptedException {
    Snapshot before = Snapshot.of(stats);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    long started = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int first = (int) ((long) count * t / threads);
      int last = (int) ((long) count * (t + 1) / threads);
      Thread worker = new Thread(() -> {
        RandomValues random = new RandomValues();
        try {
          for (int i = first; i < last && failure.get() == null; i++) {
            save.save(i, random, Instant.now());
          }
        } catch (RuntimeException e) {
          failure.compareAndSet(null, e);
        }
      }, "fill-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException(name + ": saving failed", failure.get());
    }
    Snapshot after = Snapshot.of(stats);
    long one = oneKey.getAsLong();
    long grown = after.usedMemory() - before.usedMemory();
    System.out.printf(Locale.ROOT, "%s: %d saved in %.1f s (%.0f/s); used_memory %.1f -> %.1f MB: +%.1f MB (%.1f MiB),"
            + " %.1f B each; keys %+d; client buffers %d -> %d B; MEMORY USAGE of one key %d B%n",
        name, count, seconds, count / seconds, before.usedMemory() / 1e6, after.usedMemory() / 1e6, grown / 1e6,
        grown / 1048576.0, (double) grown / count, after.keys() - before.keys(), before.clientBuffers(),
        after.clientBuffers(), one);
    return new Step(name, count, seconds, before, after, one);
  }

  private static void summary(List<Step> steps, int count, long liveSet) {
    System.out.println("\n| step | keys added | used_memory added | bytes per token | MEMORY USAGE of one key |"
        + " total used_memory after | saved in |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    long first = steps.get(0).before().usedMemory();
    for (Step s : steps) {
      long grown = s.after().usedMemory() - s.before().usedMemory();
      System.out.printf(Locale.ROOT, "| %s | %,d | %.1f MB (%.1f MiB) | %.1f | %d B | %.1f MB | %.1f s |%n", s.name(),
          s.after().keys() - s.before().keys(), grown / 1e6, grown / 1048576.0, (double) grown / count,
          s.oneKeyBytes(), s.after().usedMemory() / 1e6, s.seconds());
    }
    for (int n = 1; n <= steps.size(); n++) {
      long grown = steps.get(n - 1).after().usedMemory() - first;
      System.out.printf(Locale.ROOT, "RESULT tokens=%d steps=%s redis_used_memory_added=%.1f MB (%.1f MiB)"
              + " bytes_per_token=%.1f%s%n", count, String.join("+", steps.subList(0, n).stream().map(Step::name).toList()),
          grown / 1e6, grown / 1048576.0, (double) grown / count, n == 1 ? String.format(Locale.ROOT,
              " (live-token count %.1f MB of it)", liveSet / 1e6) : "");
    }
  }
}
