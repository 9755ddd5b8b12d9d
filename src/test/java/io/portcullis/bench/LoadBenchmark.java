package io.portcullis.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.portcullis.it.PortcullisServer;
import io.portcullis.testing.RedisServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Load benchmark of Portcullis over real HTTP on loopback.
 *
 * <ol>
 *   <li>Starts {@code target/portcullis.war} in embedded Jetty 12 with a benchmark config
 *       ({@link BenchConfig}), or uses a server already running at {@code --url}.
 *   <li>Warms up (flows, then both routes).
 *   <li>For each concurrency (default 1, 4, 16) runs complete flows for a fixed time: GET the
 *       authorize page, POST the approval form ({@code {noop}} user), POST the code and PKCE
 *       verifier to the token endpoint. Reports flows/s and p50/p99 of a whole flow.
 *   <li>The same with the {@code {pbkdf2-sha256}} user (600,000 iterations) at 1 and 4 clients.
 *   <li>Guarded ({@code /guarded/item}, bearer token with scope email) against public
 *       ({@code /public/item}) requests, alternating in rounds, and the filter's overhead.
 * </ol>
 *
 * <p>With {@code --stores memory,redis,redis-near} it compares the stores instead (issue 9): a
 * redis-server of its own on a free loopback port, one deployment per store in this JVM (Redis
 * with {@code nearCacheMillis} 0, and with {@code --near-cache-millis}), complete flows and the
 * guarded route against each in rotating rounds, redis-server's CPU apart from the other
 * processes'; then the Redis round trips of a flow and of a guarded request, counted with
 * {@code MONITOR} ({@link RedisStats}). The entry {@code ceiling} among them (issue 12) is no
 * store but a do-nothing servlet that replays what a Portcullis deployment answered ({@link
 * Ceiling}); every flow and route figure is then shown as a ratio to the ceiling's, with server CPU
 * per operation beside the ceiling's. The entry {@code ceiling-war} is the same replay in place of
 * the OAuth endpoints of a deployment of the WAR, behind its webapp handlers and filters (flows
 * only); the flows are then also shown as a ratio to it.
 *
 * <p>Every client is one thread with one keep-alive connection ({@link RawHttp}). Every response
 * is checked; any unexpected answer counts as an error and makes the run exit with status 1.
 * Each phase is bounded by time and by a request count, and a watchdog ends the process if the
 * whole run overstays its plan. Only loopback addresses are accepted.
 *
 * <pre>
 *   java -cp target/classes:target/test-classes:$(cat cp.txt) io.portcullis.bench.LoadBenchmark \
 *       [--duration 10] [--warmup 10] [--concurrency 1,4,16] [--pbkdf2-concurrency 1,4]
 *       [--route-concurrency 1,4,16] [--route-duration 5] [--rounds 4] [--max-ops 20000000]
 *       [--markdown FILE]
 *       [--url http://127.0.0.1:PORT] [--serve SECONDS] [--write-config FILE] [--print-token]
 *       [--stores memory,redis,redis-near [--near-cache-millis 5000] [--count-flows 1000] [--count-seconds 12]]
 * </pre>
 */
public final class LoadBenchmark {

  static final String AUTHORIZE = "/invoke/pub.apigateway.oauth2/authorize";
  static final String TOKEN = "/invoke/pub.apigateway.oauth2/getAccessToken";
  static final String INTROSPECT = "/invoke/pub.apigateway.oauth2/introspectToken";
  private static final int READ_TIMEOUT_MILLIS = 30_000;
  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  // ---- options ----
  private String url;
  private int durationSeconds = 10;
  private int warmupSeconds = 20;
  private int[] concurrency = {1, 4, 16};
  private int[] pbkdf2Concurrency = {1, 4};
  private int pbkdf2DurationSeconds = -1;
  private int[] routeConcurrency = {1, 4, 16};
  private int[] lifecycleConcurrency = {1, 4, 16};
  private int routeDurationSeconds = 5;
  private int rounds = 4;
  private long maxOps = 20_000_000;
  private Path markdown;
  private int serveSeconds = -1;
  private Path writeConfig;
  private boolean printToken;
  /** With {@code --stores}: one deployment per store, compared in one run (see {@link #compareStores}). */
  private List<String> stores;
  private long nearCacheMillis = 5000;
  private int countFlows = 1000;
  private int countSeconds = 12;

  private URI base;
  private String contextPath;
  private boolean embedded;
  private final List<String> report = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    LoadBenchmark bench = new LoadBenchmark();
    bench.parse(args);
    System.exit(bench.run());
  }

  private void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        usage(null);
      }
      if (name.equals("--print-token")) {
        printToken = true;
        continue;
      }
      if (i + 1 >= args.length) {
        usage(name + " needs a value");
      }
      String value = args[++i];
      try {
        switch (name) {
          case "--url" -> url = value;
          case "--duration" -> durationSeconds = positive(value);
          case "--warmup" -> warmupSeconds = Integer.parseInt(value);
          case "--concurrency" -> concurrency = list(value);
          case "--pbkdf2-concurrency" -> pbkdf2Concurrency = value.equals("none") ? new int[0] : list(value);
          case "--pbkdf2-duration" -> pbkdf2DurationSeconds = positive(value);
          case "--route-concurrency" -> routeConcurrency = value.equals("none") ? new int[0] : list(value);
          case "--route-duration" -> routeDurationSeconds = positive(value);
          case "--lifecycle-concurrency" -> lifecycleConcurrency = value.equals("none") ? new int[0] : list(value);
          case "--rounds" -> rounds = positive(value);
          case "--max-ops" -> maxOps = Long.parseLong(value);
          case "--markdown" -> markdown = Path.of(value);
          case "--serve" -> serveSeconds = positive(value);
          case "--write-config" -> writeConfig = Path.of(value);
          case "--stores" -> stores = storeList(value);
          case "--near-cache-millis" -> nearCacheMillis = positive(value);
          case "--count-flows" -> countFlows = Integer.parseInt(value);
          case "--count-seconds" -> countSeconds = Integer.parseInt(value);
          default -> usage("unknown option " + name);
        }
      } catch (NumberFormatException e) {
        usage(name + " needs a number, not " + value);
      }
    }
    if (pbkdf2DurationSeconds < 0) {
      pbkdf2DurationSeconds = durationSeconds;
    }
    if (warmupSeconds < 0 || maxOps < 1 || countFlows < 0 || countSeconds < 0) {
      usage("--warmup, --count-flows and --count-seconds must be >= 0 and --max-ops >= 1");
    }
    if (stores != null && (url != null || serveSeconds > 0 || printToken || writeConfig != null)) {
      usage("--stores starts its own servers (and redis-server): not with --url, --serve, --print-token"
          + " or --write-config");
    }
    for (int c : concat(concurrency, pbkdf2Concurrency, routeConcurrency, lifecycleConcurrency)) {
      if (c < 1 || c > 256) {
        usage("concurrency must be between 1 and 256");
      }
    }
  }

  private static int positive(String value) {
    int n = Integer.parseInt(value);
    if (n < 1) {
      throw new NumberFormatException();
    }
    return n;
  }

  static final List<String> STORES = List.of("memory", "memory-nometrics", "redis", "redis-near", "ceiling",
      "ceiling-war");

  private static List<String> storeList(String value) {
    List<String> names = Arrays.stream(value.split(",")).map(String::trim).distinct().toList();
    for (String name : names) {
      if (!STORES.contains(name)) {
        usage("--stores takes a list of " + String.join(", ", STORES) + ", not " + name);
      }
    }
    if (names.contains(CEILING_WAR) && !names.contains(CEILING)) {
      usage("--stores " + CEILING_WAR + " is shown against the " + CEILING + ": name both, e.g. memory,"
          + CEILING_WAR + "," + CEILING);
    }
    if (names.contains(CEILING) && names.stream().allMatch(n -> n.equals(CEILING) || n.equals(CEILING_WAR))) {
      usage("--stores " + CEILING + " needs a Portcullis deployment to measure against, e.g. memory," + CEILING);
    }
    return names;
  }

  private static int[] list(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).mapToInt(LoadBenchmark::positive).toArray();
  }

  private static int[] concat(int[]... arrays) {
    return Arrays.stream(arrays).flatMapToInt(Arrays::stream).toArray();
  }

  private static void usage(String problem) {
    if (problem != null) {
      System.err.println("LoadBenchmark: " + problem);
    }
    System.err.println("""
        usage: LoadBenchmark [--duration S] [--warmup S] [--concurrency 1,4,16]
                             [--pbkdf2-concurrency 1,4|none] [--pbkdf2-duration S]
                             [--route-concurrency 1,4,16|none] [--route-duration S] [--rounds N]
                             [--lifecycle-concurrency 1,4,16|none]
                             [--max-ops N]
                             [--markdown FILE] [--url http://127.0.0.1:PORT[/context]]
               LoadBenchmark --stores memory,redis,redis-near [--near-cache-millis 5000]
                             [--count-flows 1000] [--count-seconds 12] [flow and route options]
                                                  flows and the guarded route on each store, side by side,
                                                  with a redis-server of its own; then Redis round trips
               LoadBenchmark --stores memory,ceiling [flow and route options]
                                                  the same against a do-nothing servlet that replays
                                                  Portcullis's answers: ratios to the ceiling
               LoadBenchmark --stores memory,ceiling-war,ceiling [flow and route options]
                                                  and the same replay behind the WAR's webapp and
                                                  filters (flows only)
               LoadBenchmark --serve SECONDS      start the WAR with the benchmark config, print its URL
               LoadBenchmark --write-config FILE  write the benchmark config for another server
               LoadBenchmark --url URL --print-token  one flow; print its access token (for curl or wrk)""");
    System.exit(problem == null ? 0 : 2);
  }

  private int run() throws Exception {
    if (writeConfig != null) {
      BenchConfig.write(writeConfig);
      System.out.println("benchmark config written to " + writeConfig.toAbsolutePath());
      return 0;
    }
    if (stores != null) {
      return runStores();
    }
    PortcullisServer server = null;
    Path config = null;
    if (url == null) {
      config = BenchConfig.write(null);
      server = PortcullisServer.start(config);
      url = server.baseUrl();
      embedded = true;
      System.out.println("started " + PortcullisServer.war() + " in embedded Jetty at " + url);
    }
    try {
      target(url);
      if (printToken) {
        try (RawHttp http = new RawHttp(base, READ_TIMEOUT_MILLIS)) {
          System.out.println(new Flow(http, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD).run());
        }
        return 0;
      }
      if (serveSeconds > 0) {
        System.out.println("serving " + url + " for " + serveSeconds + " s (config " + config + ")");
        System.out.flush();
        Thread.sleep(serveSeconds * 1000L);
        return 0;
      }
      startWatchdog(2L * warmupSeconds
          + (long) concurrency.length * durationSeconds
          + (long) pbkdf2Concurrency.length * (pbkdf2DurationSeconds + 5)
          + (long) routeConcurrency.length * (rounds + 1) * 2 * routeDurationSeconds
          + (long) lifecycleConcurrency.length * 2 * durationSeconds);
      return benchmark();
    } finally {
      if (server != null) {
        server.close();
      }
      if (config != null) {
        Files.deleteIfExists(config);
      }
    }
  }

  /** Ends the process if the run takes far longer than planned (a hung server, say). */
  private void startWatchdog(long planned) {
    long limit = planned + 180;
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(limit * 1000);
        System.err.println("LoadBenchmark: still running after " + limit + " s (planned " + planned
            + " s); stopping");
        Runtime.getRuntime().halt(3);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    System.out.println("planned run time about " + planned + " s (watchdog at " + limit + " s)");
  }

  private int benchmark() throws Exception {
    String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    System.out.println("target " + url + "; " + Runtime.getRuntime().availableProcessors() + " CPUs; "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + "; JVM flags " + ManagementFactory.getRuntimeMXBean().getInputArguments());

    sanityCheck();

    int errors = 0;
    if (warmupSeconds > 0) {
      int clients = warmupClients();
      System.out.println("\nwarm-up: " + warmupSeconds + " s of flows, then " + warmupSeconds
          + " s of route requests, " + clients + " clients (not reported)");
      runFlows("warm-up", clients, warmupSeconds, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD);
      List<String> tokens = tokens(clients);
      runRoute("warm-up", BenchConfig.PUBLIC_PATH, clients, Math.max(1, warmupSeconds / 2), tokens);
      runRoute("warm-up", BenchConfig.GUARDED_PATH, clients, Math.max(1, warmupSeconds / 2), tokens);
    }

    // ---- complete flows, {noop} user ----
    System.out.println("\nComplete flows (authorize page -> approve -> token), {noop} user, "
        + durationSeconds + " s per level");
    System.out.println(Result.header());
    List<Result> flows = new ArrayList<>();
    for (int c : concurrency) {
      Result r = runFlows("flows", c, durationSeconds, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD);
      System.out.println(r.row());
      flows.add(r);
      errors += r.errors;
    }

    // ---- complete flows, PBKDF2 user ----
    List<Result> pbkdf2 = new ArrayList<>();
    if (pbkdf2Concurrency.length > 0) {
      System.out.println("\nComplete flows, {pbkdf2-sha256} user (600,000 iterations), "
          + pbkdf2DurationSeconds + " s per level");
      try (RawHttp http = new RawHttp(base, READ_TIMEOUT_MILLIS)) {
        new Flow(http, BenchConfig.PBKDF2_USER, BenchConfig.PBKDF2_PASSWORD).run(); // JIT the hash
      }
      System.out.println(Result.header());
      for (int c : pbkdf2Concurrency) {
        Result r = runFlows("flows-pbkdf2", c, pbkdf2DurationSeconds,
            BenchConfig.PBKDF2_USER, BenchConfig.PBKDF2_PASSWORD);
        System.out.println(r.row());
        pbkdf2.add(r);
        errors += r.errors;
      }
    }

    // ---- guarded vs public ----
    System.out.println("\nRoute requests: " + BenchConfig.PUBLIC_PATH + " (public) vs " + BenchConfig.GUARDED_PATH
        + " (bearer, scope email), " + rounds + " rounds of " + routeDurationSeconds + " s each, order alternating");
    int most = Arrays.stream(routeConcurrency).max().orElse(0);
    List<String> tokens = tokens(most);
    System.out.println(Result.header());
    List<RouteComparison> routes = new ArrayList<>();
    for (int c : routeConcurrency) {
      List<Result> open = new ArrayList<>();
      List<Result> guarded = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        // Public first in even rounds, guarded first in odd ones: drift over time (JIT, other
        // processes, heap growth) then favours neither side.
        Result p;
        Result g;
        if (round % 2 == 0) {
          p = runRoute("public", BenchConfig.PUBLIC_PATH, c, routeDurationSeconds, tokens);
          System.out.println(p.row());
          g = runRoute("guarded", BenchConfig.GUARDED_PATH, c, routeDurationSeconds, tokens);
          System.out.println(g.row());
        } else {
          g = runRoute("guarded", BenchConfig.GUARDED_PATH, c, routeDurationSeconds, tokens);
          System.out.println(g.row());
          p = runRoute("public", BenchConfig.PUBLIC_PATH, c, routeDurationSeconds, tokens);
          System.out.println(p.row());
        }
        open.add(p);
        guarded.add(g);
        errors += p.errors + g.errors;
      }
      Result[] interleaved = runInterleaved(c, 2 * routeDurationSeconds, tokens);
      System.out.println(interleaved[0].row());
      System.out.println(interleaved[1].row());
      errors += interleaved[0].errors;
      RouteComparison comparison = new RouteComparison(c, open, guarded, interleaved[0], interleaved[1]);
      System.out.printf(Locale.ROOT, "  clients %d: public %.0f req/s, guarded %.0f req/s: throughput overhead %.1f%%"
              + " (median of rounds %.1f%%); CPU per request %.1f vs %.1f us (%+.1f%%), of which server %.1f vs %.1f us%n",
          c, comparison.publicRate(), comparison.guardedRate(), comparison.overheadPercent(),
          comparison.medianRoundOverheadPercent(), comparison.publicCpu(), comparison.guardedCpu(),
          comparison.cpuOverheadPercent(), comparison.publicServerCpu(), comparison.guardedServerCpu());
      System.out.printf(Locale.ROOT, "  clients %d interleaved: mean latency public %.1f us, guarded %.1f us:"
              + " %+.1f us per guarded request, overhead %.1f%%%n",
          c, comparison.mixedPublic().meanMillis() * 1000, comparison.mixedGuarded().meanMillis() * 1000,
          comparison.interleavedExtraMicros(), comparison.interleavedOverheadPercent());
      routes.add(comparison);
    }

    // ---- client credentials issuance and introspection ----
    List<Result> issued = new ArrayList<>();
    List<Result> introspected = new ArrayList<>();
    if (lifecycleConcurrency.length > 0) {
      System.out.println("\nClient credentials tokens (form + Basic) and introspections (form + Basic, a live"
          + " token), " + durationSeconds + " s per level");
      System.out.println(Result.header());
      for (int c : lifecycleConcurrency) {
        Result r = runClientCredentials(c, durationSeconds);
        System.out.println(r.row());
        issued.add(r);
        errors += r.errors;
      }
      List<String> live = tokens(Arrays.stream(lifecycleConcurrency).max().orElse(1));
      for (int c : lifecycleConcurrency) {
        Result r = runIntrospection(c, durationSeconds, live);
        System.out.println(r.row());
        introspected.add(r);
        errors += r.errors;
      }
    }

    String md = markdown(started, flows, pbkdf2, routes, errors);
    if (!issued.isEmpty()) {
      StringBuilder more = new StringBuilder(md);
      more.append("\nClient credentials tokens issued (POST getAccessToken, grant_type=client_credentials, Basic), ")
          .append(durationSeconds).append(" s per level:\n\n");
      flowTable(more, issued);
      more.append("\nIntrospections of a live access token (POST introspectToken, Basic), ")
          .append(durationSeconds).append(" s per level:\n\n");
      flowTable(more, introspected);
      md = more.toString();
    }
    return report(md, errors);
  }

  /** Prints the results, writes them to {@code --markdown}, and gives the exit status: 1 if any request failed. */
  private int report(String md, int errors) throws IOException {
    System.out.println("\n" + md);
    if (markdown != null) {
      Files.writeString(markdown, md);
      System.out.println("results written to " + markdown.toAbsolutePath());
    }
    if (errors > 0) {
      System.err.println("LoadBenchmark: " + errors + " request(s) failed; the figures above are not valid");
      return 1;
    }
    return 0;
  }

  /** One flow, the guarded route with its token and without, and the public route must work before anything is timed. */
  private void sanityCheck() throws IOException {
    try (RawHttp http = new RawHttp(base, READ_TIMEOUT_MILLIS)) {
      String token = new Flow(http, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD).run();
      RawHttp.Response guarded = http.send("GET", contextPath + BenchConfig.GUARDED_PATH, null, null,
          "Authorization", "Bearer " + token);
      check(guarded.status() == 200 && guarded.body().contains("\"client_id\":\"" + BenchConfig.CLIENT_ID + "\""),
          "guarded route with a fresh token", guarded);
      RawHttp.Response denied = http.send("GET", contextPath + BenchConfig.GUARDED_PATH, null, null);
      check(denied.status() == 401, "guarded route without a token must be 401", denied);
      RawHttp.Response open = http.send("GET", contextPath + BenchConfig.PUBLIC_PATH, null, null);
      check(open.status() == 200 && open.body().contains("\"public\":true"), "public route", open);
    }
  }

  /** One token per route client, each from a complete flow. */
  private List<String> tokens(int count) throws IOException {
    List<String> tokens = new ArrayList<>();
    try (RawHttp http = new RawHttp(base, READ_TIMEOUT_MILLIS)) {
      for (int i = 0; i < count; i++) {
        tokens.add(new Flow(http, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD).run());
      }
    }
    return tokens;
  }

  // ---------------------------------------------------------------------------------------------
  // Stores compared (--stores): the same phases against one deployment per store, in one run

  /** One deployment of the WAR, configured with one store, or the do-nothing {@link Ceiling}. */
  private record Deployment(String store, String baseUrl, AutoCloseable server) {}

  /** The entry name of the do-nothing ceiling (issue 12), which is no store. */
  static final String CEILING = "ceiling";

  /**
   * The ceiling's replay behind the WAR: a memory deployment whose OAuth endpoints are replaced by
   * the replaying servlet, so the same container, webapp handlers and Portcullis filters answer
   * around it. Flows only (its token is the captured one, which its own filter does not know).
   */
  static final String CEILING_WAR = "ceiling-war";

  /** Whether an entry also answers the routes: all but {@link #CEILING_WAR}, which runs flows only. */
  private static boolean hasRoutes(String store) {
    return !store.equals(CEILING_WAR);
  }

  /** Points the phases (and every client thread started after this) at {@code target}. */
  private void target(String target) {
    url = target;
    base = RawHttp.loopbackOnly(url);
    contextPath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
  }

  /**
   * Starts a redis-server of its own (when a Redis store is named) and one deployment per store,
   * all in this JVM, runs {@link #compareStores}, and stops them all.
   */
  private int runStores() throws Exception {
    RedisServer redis = null;
    RedisStats stats = null;
    List<Deployment> deployments = new ArrayList<>();
    List<Path> configs = new ArrayList<>();
    try {
      if (stores.stream().anyMatch(s -> s.startsWith("redis"))) {
        redis = new RedisServer().start(); // on a free loopback port, --save "" --appendonly no
        stats = new RedisStats(redis.port());
        CpuSample.watched = (int) stats.pid();
        System.out.println("started redis-server " + stats.info("server").get("redis_version") + " at "
            + redis.uri() + " without persistence, pid " + CpuSample.watched);
      }
      for (String store : stores) {
        if (store.equals(CEILING)) {
          deployments.add(null); // started below, from what a Portcullis deployment answers
          continue;
        }
        // Two key prefixes, so the two Redis deployments share the redis-server but no key.
        JsonObject section = switch (store) {
          case "redis" -> BenchConfig.redisStore(redis.uri(), "portcullis:", 0);
          case "redis-near" -> BenchConfig.redisStore(redis.uri(), "portcullis-near:", nearCacheMillis);
          default -> null;
        };
        Path config = BenchConfig.write(null, BenchConfig.json(section));
        configs.add(config);
        // "memory-nometrics": the memory store with metrics off, to measure what they cost.
        // "ceiling-war": a memory deployment whose endpoints become the replay, below.
        PortcullisServer server = store.endsWith("-nometrics")
            ? PortcullisServer.start(config, Map.of("portcullis.metrics", "off")) : PortcullisServer.start(config);
        deployments.add(new Deployment(store, server.baseUrl(), server));
        System.out.println("started " + PortcullisServer.war() + " (" + store + " store) in embedded Jetty at "
            + server.baseUrl());
      }
      if (stores.contains(CEILING)) {
        Deployment reference = reference(deployments);
        List<RawHttp.Exchange> portcullis = capture(reference.baseUrl(), true);
        Ceiling ceiling = Ceiling.start(portcullis);
        deployments.set(stores.indexOf(CEILING), new Deployment(CEILING, ceiling.baseUrl(), ceiling));
        System.out.println("started the do-nothing ceiling (one servlet replaying what the " + reference.store()
            + " deployment answered) in embedded Jetty at " + ceiling.baseUrl());
        compareAnswers(reference.store(), CEILING, portcullis, capture(ceiling.baseUrl(), true));
        if (stores.contains(CEILING_WAR)) {
          Deployment war = deployments.get(stores.indexOf(CEILING_WAR));
          Ceiling.replaceEndpoints(((PortcullisServer) war.server()).webapp(), portcullis);
          System.out.println("replaced the OAuth endpoints of " + CEILING_WAR + " at " + war.baseUrl()
              + " by the ceiling's replay, behind the webapp's handlers and filters");
          List<RawHttp.Exchange> replayed = capture(war.baseUrl(), false);
          compareAnswers(reference.store(), CEILING_WAR, portcullis.subList(0, 3), replayed);
          // Portcullis would have issued a token of its own: the captured one proves the replay answered.
          if (!portcullis.get(2).body().equals(replayed.get(2).body())) {
            throw new IllegalStateException(CEILING_WAR + " answered the token request itself, not the replay");
          }
        }
      }
      embedded = true;
      long n = deployments.size();
      long redisDeployments = stores.stream().filter(s -> s.startsWith("redis")).count();
      long routed = stores.stream().filter(LoadBenchmark::hasRoutes).count();
      startWatchdog((warmupSeconds > 0 ? n * warmupSeconds + routed * 2L * Math.max(1, warmupSeconds / 2) : 0)
          + concurrency.length * rounds * n * durationSeconds
          + routeConcurrency.length * rounds * (routed + (stores.contains(CEILING) ? 2 : 1)) * routeDurationSeconds
          + redisDeployments * (countFlows / 100 + countSeconds + 10));
      return compareStores(deployments, stats);
    } finally {
      for (Deployment d : deployments) {
        if (d != null) {
          d.server().close();
        }
      }
      for (Path config : configs) {
        Files.deleteIfExists(config);
      }
      if (stats != null) {
        stats.close();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  /** The first Portcullis deployment (memory if there is one): the public route's, and what the ceiling copies. */
  private static Deployment reference(List<Deployment> deployments) {
    return deployments.stream().filter(d -> d != null && d.store().equals("memory")).findFirst()
        .orElseGet(() -> deployments.stream().filter(d -> d != null && !d.store().equals(CEILING)
            && !d.store().equals(CEILING_WAR)).findFirst().orElseThrow());
  }

  /**
   * What a Portcullis deployment answers, over the wire, for the {@link Ceiling} to replay: one
   * complete flow, then, with {@code routes}, the guarded route with its token and without, and the
   * public route, each request as the benchmark sends it.
   */
  private List<RawHttp.Exchange> capture(String target, boolean routes) throws IOException {
    target(target);
    try (RawHttp http = new RawHttp(base, READ_TIMEOUT_MILLIS)) {
      http.transcript = new ArrayList<>();
      String token = new Flow(http, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD).run();
      if (routes) {
        routeRequest(http, BenchConfig.GUARDED_PATH, token);
        RawHttp.Response denied = http.send("GET", contextPath + BenchConfig.GUARDED_PATH, null, null);
        check(denied.status() == 401, "guarded route without a token must be 401", denied);
        routeRequest(http, BenchConfig.PUBLIC_PATH, token);
      }
      return http.transcript;
    }
  }

  /**
   * Prints the sizes of what Portcullis and a ceiling answered to the same requests, and refuses
   * to go on if a status, a number of header lines or a body size differs: the comparison is only
   * honest if they match.
   */
  private static void compareAnswers(String store, String copy, List<RawHttp.Exchange> portcullis,
      List<RawHttp.Exchange> ceiling) {
    System.out.println("answers, " + store + " vs " + copy + ": status, header lines, body bytes");
    for (int i = 0; i < portcullis.size(); i++) {
      RawHttp.Exchange p = portcullis.get(i);
      RawHttp.Exchange c = ceiling.get(i);
      int pBody = p.body() == null ? 0 : p.body().getBytes(StandardCharsets.UTF_8).length;
      int cBody = c.body() == null ? 0 : c.body().getBytes(StandardCharsets.UTF_8).length;
      System.out.printf(Locale.ROOT, "  %-60.60s %d %2d %6d B | %d %2d %6d B%n", p.requestLine(), p.status(),
          p.headers().size(), pBody, c.status(), c.headers().size(), cBody);
      if (p.status() != c.status() || pBody != cBody || p.headers().size() != c.headers().size()) {
        throw new IllegalStateException("the " + copy + " does not answer " + p.requestLine() + " as " + store
            + " does");
      }
    }
  }

  /** The results of one row of a comparison: a store (or the public route) at one concurrency, over its rounds. */
  private record StoreRow(int clients, String name, List<Result> rounds) {
    double rate() {
      return rounds.stream().mapToDouble(Result::rate).average().orElse(Double.NaN);
    }

    double median(java.util.function.ToDoubleFunction<Result> f) {
      return RouteComparison.median(rounds, f);
    }

    double otherCores() {
      return rounds.stream().mapToDouble(Result::otherCores).max().orElse(Double.NaN);
    }

    double stealCores() {
      return rounds.stream().mapToDouble(Result::stealCores).max().orElse(Double.NaN);
    }

    int errors() {
      return rounds.stream().mapToInt(Result::errors).sum();
    }
  }

  /** What Redis received during {@code operations} operations of one kind against one deployment. */
  private record RedisCount(String store, String operation, long operations, RedisStats.Tally tally) {}

  /** {@code items} starting at {@code shift} (mod size): who goes first changes from round to round. */
  private static <T> List<T> rotated(List<T> items, int shift) {
    List<T> order = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      order.add(items.get((i + shift) % items.size()));
    }
    return order;
  }

  /**
   * Complete flows at each {@code --concurrency} and the guarded route at each
   * {@code --route-concurrency}, every deployment in turn: {@code --rounds} rounds, the order
   * rotating, so drift on a shared machine favours no store. The public route (no store lookup)
   * runs in the rotation too, as the ceiling of a route request. Then, with Redis, the round trips
   * of a flow and of guarded requests, counted with MONITOR.
   */
  private int compareStores(List<Deployment> deployments, RedisStats stats) throws Exception {
    String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    System.out.println("stores " + stores + "; " + Runtime.getRuntime().availableProcessors() + " CPUs; "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + "; JVM flags " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    for (Deployment d : deployments) {
      if (hasRoutes(d.store())) { // ceiling-war's flow was compared with the reference's at start-up
        target(d.baseUrl());
        sanityCheck();
      }
    }
    if (warmupSeconds > 0) {
      int clients = warmupClients();
      System.out.println("\nwarm-up: each deployment " + warmupSeconds + " s of flows, then route requests, "
          + clients + " clients (not reported)");
      for (Deployment d : deployments) {
        target(d.baseUrl());
        runFlows("warm-up", clients, warmupSeconds, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD);
        if (!hasRoutes(d.store())) {
          continue;
        }
        List<String> tokens = tokens(clients);
        runRoute("warm-up", BenchConfig.PUBLIC_PATH, clients, Math.max(1, warmupSeconds / 2), tokens);
        runRoute("warm-up", BenchConfig.GUARDED_PATH, clients, Math.max(1, warmupSeconds / 2), tokens);
      }
    }

    System.out.println("\nComplete flows, {noop} user: " + rounds + " rounds of " + durationSeconds
        + " s per store and level, the stores in rotating order");
    System.out.println(Result.header());
    List<StoreRow> flows = inRotation(concurrency, stores, (store, clients) -> {
      target(deployments.get(stores.indexOf(store)).baseUrl());
      return runFlows("flows " + store, clients, durationSeconds, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD);
    });

    System.out.println("\nRoute requests: " + BenchConfig.GUARDED_PATH + " on each store and " + BenchConfig.PUBLIC_PATH
        + " (no store lookup), " + rounds + " rounds of " + routeDurationSeconds + " s, order rotating");
    int most = Arrays.stream(routeConcurrency).max().orElse(0);
    Map<String, List<String>> tokens = new LinkedHashMap<>();
    for (Deployment d : deployments) {
      if (hasRoutes(d.store())) {
        target(d.baseUrl());
        tokens.put(d.store(), tokens(most));
      }
    }
    List<String> entries = new ArrayList<>();
    entries.add("public");
    if (stores.contains(CEILING)) {
      entries.add(PUBLIC_CEILING);
    }
    entries.addAll(stores.stream().filter(LoadBenchmark::hasRoutes).toList());
    System.out.println(Result.header());
    List<StoreRow> routes = inRotation(routeConcurrency, entries, (entry, clients) -> {
      boolean open = entry.equals("public") || entry.equals(PUBLIC_CEILING);
      Deployment d = entry.equals("public") ? reference(deployments)
          : deployments.get(stores.indexOf(open ? CEILING : entry));
      target(d.baseUrl());
      return runRoute(open ? entry : "guarded " + d.store(), open ? BenchConfig.PUBLIC_PATH
          : BenchConfig.GUARDED_PATH, clients, routeDurationSeconds, tokens.get(d.store()));
    });

    List<RedisCount> counts = new ArrayList<>();
    if (stats != null && (countFlows > 0 || countSeconds > 0)) {
      System.out.println("\nRedis round trips (MONITOR): " + countFlows + " flows, then guarded requests for "
          + countSeconds + " s with a fresh token, 1 client, on each Redis deployment");
      for (Deployment d : deployments) {
        if (d.store().startsWith("redis")) {
          target(d.baseUrl());
          if (countFlows > 0) {
            counts.add(countFlows(d.store(), stats));
          }
          if (countSeconds > 0) {
            counts.add(countGuarded(d.store(), stats));
          }
        }
      }
    }

    int errors = Stream.concat(flows.stream(), routes.stream()).mapToInt(StoreRow::errors).sum();
    String md = storesMarkdown(started, deployments, stats, flows, routes, counts, errors);
    return report(md, errors);
  }

  /**
   * Clients of the warm-up: as many as the most any flow, route or lifecycle phase runs (at least
   * 4; PBKDF2 phases are left out, their threads wait for hashing permits), so that
   * the JIT compiler has seen the paths that only contention takes before the first measured round.
   */
  private int warmupClients() {
    return Math.max(4, Arrays.stream(concat(concurrency, routeConcurrency, lifecycleConcurrency)).max().orElse(4));
  }

  /** The public route on the ceiling, beside Portcullis's public route. */
  private static final String PUBLIC_CEILING = "public ceiling";

  /** Runs one entry (a store, or the public route) at a concurrency. */
  private interface EntryPhase {
    Result run(String entry, int clients) throws Exception;
  }

  /**
   * For each level, {@link #rounds} rounds of every entry, the order rotating by level and round;
   * one row per level and entry.
   */
  private List<StoreRow> inRotation(int[] levels, List<String> entries, EntryPhase phase) throws Exception {
    List<StoreRow> rows = new ArrayList<>();
    for (int level = 0; level < levels.length; level++) {
      Map<String, List<Result>> results = new LinkedHashMap<>();
      for (int round = 0; round < rounds; round++) {
        for (String entry : rotated(entries, level + round)) {
          Result r = phase.run(entry, levels[level]);
          System.out.println(r.row());
          results.computeIfAbsent(entry, k -> new ArrayList<>()).add(r);
        }
      }
      for (String entry : entries) {
        rows.add(new StoreRow(levels[level], entry, results.get(entry)));
      }
    }
    return rows;
  }

  private RedisCount countFlows(String store, RedisStats stats) throws Exception {
    RedisStats.Tally tally = stats.count(() -> {
      try (RawHttp http = new RawHttp(base, READ_TIMEOUT_MILLIS)) {
        for (int i = 0; i < countFlows; i++) {
          new Flow(http, BenchConfig.FAST_USER, BenchConfig.FAST_PASSWORD).run();
        }
      }
    });
    RedisCount count = new RedisCount(store, "complete flow", countFlows, tally);
    printCount(count);
    return count;
  }

  /** Guarded requests for {@link #countSeconds} with a token no near-cache has seen yet. */
  private RedisCount countGuarded(String store, RedisStats stats) throws Exception {
    String token = tokens(1).get(0);
    long[] requests = {0};
    RedisStats.Tally tally = stats.count(() -> {
      try (RawHttp http = new RawHttp(base, READ_TIMEOUT_MILLIS)) {
        long end = System.nanoTime() + Duration.ofSeconds(countSeconds).toNanos();
        byte[] request = routeRequest(http, BenchConfig.GUARDED_PATH, token); // sends one, checked
        requests[0]++;
        while (System.nanoTime() - end < 0) {
          routeCall(http, request, BenchConfig.GUARDED_PATH);
          requests[0]++;
        }
      }
    });
    RedisCount count = new RedisCount(store, "guarded request", requests[0], tally);
    printCount(count);
    return count;
  }

  private static void printCount(RedisCount c) {
    RedisStats.Tally t = c.tally();
    System.out.printf(Locale.ROOT, "  %-10s %-15s %8d: %s round trips per operation (%s); MONITOR %d sent + %d in"
            + " scripts = %d, commandstats %d; used_memory less client buffers %+d B, keys %+d%n",
        c.store(), c.operation(), c.operations(), RedisStats.decimal((double) t.roundTrips() / c.operations()),
        RedisStats.perOperation(t.sent(), c.operations()), t.roundTrips(), t.scriptCommands(),
        t.roundTrips() + t.scriptCommands(), t.executedCommands(), t.dataMemoryAfter() - t.dataMemoryBefore(),
        t.keysAfter() - t.keysBefore());
  }

  private String storesMarkdown(String started, List<Deployment> deployments, RedisStats stats, List<StoreRow> flows,
      List<StoreRow> routes, List<RedisCount> counts, int errors) {
    StringBuilder md = new StringBuilder();
    md.append("<!-- LoadBenchmark store comparison, started ").append(started).append(" -->\n");
    md.append("Targets: target/portcullis.war in embedded Jetty 12, one deployment per store, all in this JVM: ");
    md.append(String.join("; ", deployments.stream().map(d -> d.store() + switch (d.store()) {
      case "redis" -> " (Redis, nearCacheMillis 0)";
      case "redis-near" -> " (Redis, nearCacheMillis " + nearCacheMillis + ")";
      case "memory-nometrics" -> " (Caffeine, metrics off: init-parameter portcullis.metrics=off)";
      case CEILING -> " (not the WAR: one do-nothing servlet in a Jetty 12 of its own, replaying the status, headers"
          + " and bodies " + reference(deployments).store() + " answered to one flow and the routes at start-up;"
          + " ratios to it are measured in the same run)";
      case CEILING_WAR -> " (the ceiling's replaying servlet in place of the OAuth endpoints of a memory deployment of"
          + " the WAR, behind its webapp handlers and Portcullis's filters: what a flow through the WAR costs when"
          + " the endpoints do no work; flows only)";
      default -> " (Caffeine)";
    }).toList()));
    if (stats != null) {
      md.append("; redis-server ").append(stats.info("server").get("redis_version"))
          .append(" on loopback, started by the benchmark without persistence, on the same CPUs");
    }
    md.append(". JVM: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append(", flags `")
        .append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append("`; ")
        .append(Runtime.getRuntime().availableProcessors()).append(" CPUs visible.\n\n");

    md.append("Complete flows ({noop} user): ").append(rounds).append(" rounds of ").append(durationSeconds)
        .append(" s per store and level, the stores in rotating order; flows/s is the mean of the rounds,"
            + " latency and CPU the median of the rounds:\n\n");
    storeTable(md, flows, "flows/s", "ms/flow", 1000);
    if (flows.stream().anyMatch(r -> r.name().equals(CEILING_WAR))) {
      md.append("\nAgainst ").append(CEILING_WAR).append(" (the same replay behind the WAR's webapp and filters),"
          + " measured in the same run: what the endpoints' own work costs.\n\n");
      md.append("| clients | store | flows/s ÷ ").append(CEILING_WAR).append("'s | server CPU ÷ ").append(CEILING_WAR)
          .append("'s | the same without the JIT compiler |\n|---:|---|---:|---:|---:|\n");
      for (StoreRow r : flows) {
        StoreRow war = flows.stream().filter(w -> w.clients() == r.clients() && w.name().equals(CEILING_WAR))
            .findFirst().orElse(null);
        if (war != null && !r.name().equals(CEILING) && !r.name().equals(CEILING_WAR)) {
          md.append("| ").append(r.clients()).append(" | ").append(r.name()).append(" | ").append(ratios(r, war))
              .append(" |\n");
        }
      }
    }
    md.append("\nGuarded route (`GET ").append(BenchConfig.GUARDED_PATH).append("`, bearer token with scope email)"
        + " on each store, and the public route (`GET ").append(BenchConfig.PUBLIC_PATH).append("`, no store"
        + " lookup) as the ceiling").append(flows.stream().anyMatch(r -> r.name().equals(CEILING))
            ? " (and the do-nothing ceiling's answers to both)" : "").append(": ").append(rounds).append(" rounds of ").append(routeDurationSeconds)
        .append(" s each, in rotating order; req/s the mean of the rounds, latency and CPU the median:\n\n");
    storeTable(md, routes, "req/s", "µs/req", 1);

    if (!counts.isEmpty()) {
      md.append("\nRedis round trips, counted with `MONITOR` (one client; a flow's three requests, or guarded"
          + " requests for ").append(countSeconds).append(" s with a token no near-cache had seen). A round trip"
          + " is a command a client sent; \"run by Redis\" adds the commands Lua scripts ran inside Redis, which"
          + " `INFO commandstats` and `total_commands_processed` count too. Memory is what `used_memory` less"
          + " the connections' buffers grew by. Key kinds: ")
          .append(String.join(", ", new java.util.TreeMap<>(RedisStats.KINDS).entrySet().stream()
              .map(e -> "`" + e.getKey() + "` " + e.getValue()).toList()))
          .append(".\n\n");
      md.append("| store | operation | counted | round trips per operation | round trips by command and key |"
          + " commands run by Redis per operation | of which in scripts | `INFO commandstats` by command |"
          + " Redis memory per operation | keys per operation |\n");
      md.append("|---|---|---:|---:|---|---:|---|---|---:|---:|\n");
      for (RedisCount c : counts) {
        RedisStats.Tally t = c.tally();
        long n = c.operations();
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s B | %s |%n", c.store(),
            c.operation(), n, RedisStats.decimal((double) t.roundTrips() / n), RedisStats.perOperation(t.sent(), n),
            RedisStats.decimal((double) t.executedCommands() / n), RedisStats.perOperation(t.inScripts(), n),
            RedisStats.perOperation(t.executed(), n),
            RedisStats.decimal(Math.round((double) (t.dataMemoryAfter() - t.dataMemoryBefore()) / n)),
            RedisStats.decimal((double) (t.keysAfter() - t.keysBefore()) / n)));
      }
      md.append("\n(`INFO commandstats` agreed with MONITOR's sent + in-script count: ")
          .append(counts.stream().allMatch(c -> c.tally().executedCommands()
              == c.tally().roundTrips() + c.tally().scriptCommands()) ? "yes, for every row" : "NO, see the log")
          .append(".)\n");
    }
    md.append("\n\"Redis\" CPU is redis-server's, from /proc/<pid>/stat; \"other processes\" is every other"
        + " process but this JVM and redis-server, \"steal\" the time the hypervisor gave this machine's CPUs"
        + " to other guests (both the highest of the rounds).\n");
    md.append("\nFailed requests: ").append(errors).append(".\n");
    return md.toString();
  }

  /** Rate, server CPU and server CPU less the JIT compiler's of {@code r} ÷ those of {@code to}: three cells. */
  private static String ratios(StoreRow r, StoreRow to) {
    return String.format(Locale.ROOT, "%.2f × | %.2f × | %.2f ×", r.rate() / to.rate(),
        r.median(Result::serverCpuMicrosPerOp) / to.median(Result::serverCpuMicrosPerOp),
        r.median(Result::serverCpuWithoutCompilerMicrosPerOp) / to.median(Result::serverCpuWithoutCompilerMicrosPerOp));
  }

  /** One row per store (or the public route) and concurrency; {@code scale} turns µs into the unit shown. */
  private static void storeTable(StringBuilder md, List<StoreRow> rows, String rateUnit, String cpuUnit,
      double scale) {
    boolean ceiling = rows.stream().anyMatch(r -> r.name().equals(CEILING));
    md.append("| clients | store | ").append(rateUnit).append(" | vs memory | ")
        .append(ceiling ? rateUnit + " ÷ ceiling's | server CPU ÷ ceiling's | the same without the JIT compiler | " : "")
        .append("p50 ms | p99 ms | CPU ").append(cpuUnit)
        .append(" (client + server + Redis) | Redis CPU (cores) | other processes / steal (cores) | rounds |\n");
    md.append("|---:|---|---:|---:|").append(ceiling ? "---:|---:|---:|" : "").append("---:|---:|---:|---:|---:|---|\n");
    for (StoreRow r : rows) {
      StoreRow memory = rows.stream().filter(m -> m.clients() == r.clients() && m.name().equals("memory"))
          .findFirst().orElse(null);
      boolean open = r.name().equals("public") || r.name().equals(PUBLIC_CEILING);
      String versus = memory == null || r.name().equals("memory") || open || r.name().equals(CEILING)
          || r.name().equals(CEILING_WAR) ? ""
          : String.format(Locale.ROOT, "%+.1f %%", (r.rate() / memory.rate() - 1) * 100);
      if (ceiling) {
        // Measured in the same run: the guarded route and flows against the ceiling's, the public route against its.
        String against = open ? PUBLIC_CEILING : CEILING;
        StoreRow top = rows.stream().filter(m -> m.clients() == r.clients() && m.name().equals(against))
            .findFirst().orElse(null);
        versus += " | " + (top == null || r == top ? "– | – | –" : ratios(r, top));
      }
      double redis = r.median(Result::redisCpuMicrosPerOp);
      md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %s | %.3f | %.3f | %.2f (%.2f + %.2f + %s) | %s |"
              + " %.2f / %.2f | %s |%n",
          r.clients(), r.name().equals("public") ? "public route" : r.name().equals(PUBLIC_CEILING)
              ? "public route, ceiling" : r.name(), r.rate(), versus,
          r.median(Result::p50Millis), r.median(Result::p99Millis),
          (r.median(Result::cpuMicrosPerOp) + (Double.isNaN(redis) ? 0 : redis)) / scale,
          r.median(Result::clientCpuMicrosPerOp) / scale, r.median(Result::serverCpuMicrosPerOp) / scale,
          Double.isNaN(redis) ? "–" : String.format(Locale.ROOT, "%.2f", redis / scale),
          Double.isNaN(r.median(Result::redisCores)) ? "–" : String.format(Locale.ROOT, "%.2f",
              r.median(Result::redisCores)),
          r.otherCores(), r.stealCores(), rates(r.rounds())));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Phases

  /** What one client thread does once per iteration; returns normally or throws on a bad answer. */
  private interface Operation {
    void run() throws IOException;
  }

  private interface OperationFactory {
    Operation create(int client, RawHttp http, Worker worker) throws IOException;
  }

  private Result runFlows(String name, int clients, int seconds, String username, String password)
      throws InterruptedException {
    return runPhase(name, clients, seconds, (client, http, worker) -> {
      Flow flow = new Flow(http, username, password);
      return flow::runTimed;
    });
  }

  private Result runRoute(String name, String path, int clients, int seconds, List<String> tokens)
      throws InterruptedException {
    return runPhase(name, clients, seconds, (client, http, worker) -> {
      byte[] request = routeRequest(http, path, tokens.get(client));
      return () -> routeCall(http, request, path);
    });
  }

  /** One client-credentials token per operation: client authentication, scope, a stored token. */
  private Result runClientCredentials(int clients, int seconds) throws InterruptedException {
    return runPhase("client-credentials", clients, seconds, (client, http, worker) -> {
      byte[] request = http.request("POST", contextPath + TOKEN, "application/x-www-form-urlencoded",
          "grant_type=client_credentials&scope=" + BenchConfig.SCOPE, "Authorization", clientBasic());
      RawHttp.Response first = http.send(request, true);
      check(first.status() == 200 && first.body().contains("\"access_token\""), "client credentials", first);
      return () -> expect200(http, request, "client credentials");
    });
  }

  /** One RFC 7662 introspection per operation, of a live token of the same client. */
  private Result runIntrospection(int clients, int seconds, List<String> tokens) throws InterruptedException {
    return runPhase("introspection", clients, seconds, (client, http, worker) -> {
      byte[] request = http.request("POST", contextPath + INTROSPECT, "application/x-www-form-urlencoded",
          "token=" + tokens.get(client), "Authorization", clientBasic());
      RawHttp.Response first = http.send(request, true);
      check(first.status() == 200 && first.body().contains("\"active\":true"), "introspection", first);
      return () -> expect200(http, request, "introspection");
    });
  }

  private static void expect200(RawHttp http, byte[] request, String what) throws IOException {
    RawHttp.Response response = http.send(request, false);
    if (response.status() != 200) {
      throw new IOException(what + ": status " + response.status());
    }
  }

  private static String clientBasic() {
    return "Basic " + Base64.getEncoder().encodeToString(
        (BenchConfig.CLIENT_ID + ":" + BenchConfig.CLIENT_SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Each client sends a public and a guarded request in turn, each timed on its own, so both
   * kinds meet the same moment-to-moment conditions of a shared machine. Returns the public and
   * the guarded latencies as two results.
   */
  private Result[] runInterleaved(int clients, int seconds, List<String> tokens) throws InterruptedException {
    Result pair = runPhase("interleaved", clients, seconds, (client, http, worker) -> {
      byte[] open = routeRequest(http, BenchConfig.PUBLIC_PATH, tokens.get(client));
      byte[] guarded = routeRequest(http, BenchConfig.GUARDED_PATH, tokens.get(client));
      boolean[] publicFirst = {true};
      return () -> {
        // Which goes first alternates, so neither kind always follows the other.
        boolean first = publicFirst[0];
        publicFirst[0] = !first;
        long start = System.nanoTime();
        routeCall(http, first ? open : guarded, first ? BenchConfig.PUBLIC_PATH : BenchConfig.GUARDED_PATH);
        long middle = System.nanoTime();
        routeCall(http, first ? guarded : open, first ? BenchConfig.GUARDED_PATH : BenchConfig.PUBLIC_PATH);
        long end = System.nanoTime();
        worker.side(0).add(first ? middle - start : end - middle);
        worker.side(1).add(first ? end - middle : middle - start);
      };
    });
    return new Result[] {pair.side(0), pair.side(1)};
  }

  /**
   * The request bytes for a route, checked once. The public request carries the token too, so
   * both requests cost the same to send and parse and the difference is the filter's work.
   */
  private byte[] routeRequest(RawHttp http, String path, String token) throws IOException {
    byte[] request = http.request("GET", contextPath + path, null, null, "Authorization", "Bearer " + token);
    RawHttp.Response first = http.send(request, true);
    boolean guarded = path.equals(BenchConfig.GUARDED_PATH);
    check(first.status() == 200 && first.body().contains(guarded ? "\"client_id\"" : "\"public\":true"),
        "GET " + path, first);
    return request;
  }

  private static void routeCall(RawHttp http, byte[] request, String path) throws IOException {
    RawHttp.Response response = http.send(request, false);
    if (response.status() != 200) {
      throw new IOException("GET " + path + ": status " + response.status());
    }
  }

  /**
   * Runs {@code clients} threads, each with its own connection, for {@code seconds} (and at most
   * {@link #maxOps} operations in all). Latency is recorded per operation.
   */
  private Result runPhase(String name, int clients, int seconds, OperationFactory factory)
      throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(clients);
    CountDownLatch go = new CountDownLatch(1);
    Worker[] workers = new Worker[clients];
    long perClientCap = Math.max(1, maxOps / clients);
    long[] deadline = new long[1];
    for (int i = 0; i < clients; i++) {
      int client = i;
      Worker worker = new Worker();
      workers[i] = worker;
      worker.thread = new Thread(() -> {
        try (RawHttp http = new RawHttp(base, READ_TIMEOUT_MILLIS)) {
          Operation op;
          try {
            op = factory.create(client, http, worker);
          } catch (IOException | RuntimeException e) {
            worker.fail(e);
            ready.countDown();
            return;
          }
          ready.countDown();
          go.await();
          worker.cpuStart = THREADS.getCurrentThreadCpuTime();
          long end = deadline[0];
          while (worker.count < perClientCap) {
            long start = System.nanoTime();
            if (start - end >= 0) {
              break;
            }
            try {
              op.run();
              worker.record(System.nanoTime() - start);
            } catch (IOException | RuntimeException e) {
              worker.fail(e);
              http.close(); // a fresh connection for the next attempt
            }
          }
          worker.finished = System.nanoTime();
          worker.cpuEnd = THREADS.getCurrentThreadCpuTime();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "bench-" + name + "-" + i);
      worker.thread.start();
    }
    ready.await();
    CpuSample cpuBefore = CpuSample.now();
    long start = System.nanoTime();
    deadline[0] = start + Duration.ofSeconds(seconds).toNanos();
    go.countDown();
    for (Worker w : workers) {
      w.thread.join();
    }
    CpuSample cpuAfter = CpuSample.now();
    long finished = start;
    for (Worker w : workers) {
      finished = Math.max(finished, w.finished);
    }
    return Result.of(name, clients, finished - start, workers, cpuBefore, cpuAfter);
  }

  /** A growable list of latencies in nanoseconds. */
  private static final class Latencies {
    long[] values = new long[4096];
    int count;

    void add(long nanos) {
      if (count == values.length) {
        values = Arrays.copyOf(values, values.length * 2);
      }
      values[count++] = nanos;
    }
  }

  /** One client thread's record: latencies in nanoseconds and failures. */
  private static final class Worker {
    Thread thread;
    final Latencies latencies = new Latencies();
    /** Latencies of the parts of an operation, for phases that time them separately. */
    final Latencies[] sides = {new Latencies(), new Latencies()};
    long count;
    int errors;
    String firstError;
    long finished;
    long cpuStart;
    long cpuEnd;

    void record(long nanos) {
      latencies.add(nanos);
      count++;
    }

    Latencies side(int i) {
      return sides[i];
    }

    void fail(Exception e) {
      errors++;
      if (firstError == null) {
        firstError = e.getClass().getSimpleName() + ": " + e.getMessage();
        System.err.println("  " + Thread.currentThread().getName() + ": " + firstError);
      }
    }
  }

  /**
   * CPU time of this process (client and, when embedded, server), of every other process, and
   * the time the hypervisor gave this machine's CPUs to someone else (steal), from {@code /proc}.
   * The machine is shared, so every phase reports what else ran while it did.
   */
  record CpuSample(long processNanos, Map<Integer, Long> compilerThreadNanos, Map<Integer, Long> otherProcessTicks,
      long stealTicks, long totalTicks) {
    static final long SELF = ProcessHandle.current().pid();
    /** A process whose CPU is reported on its own, not among "other processes": the redis-server under test. */
    static volatile int watched = -1;

    static CpuSample now() {
      long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
      Map<Integer, Long> others = new java.util.HashMap<>();
      long steal = -1;
      long total = -1;
      try {
        String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // cpu user nice system idle iowait irq softirq steal
        String[] f = cpu.trim().split("\\s+");
        total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) { // guest time is already in user
          total += Long.parseLong(f[i]);
        }
        steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
        try (java.util.stream.Stream<Path> entries = Files.list(Path.of("/proc"))) {
          for (Path entry : (Iterable<Path>) entries::iterator) {
            String name = entry.getFileName().toString();
            if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == SELF) {
              continue;
            }
            try {
              String stat = Files.readString(entry.resolve("stat"));
              String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
              others.put(Integer.parseInt(name), Long.parseLong(fields[11]) + Long.parseLong(fields[12])); // utime stime
            } catch (IOException | RuntimeException gone) {
              // the process ended meanwhile
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: no machine-wide figures
      }
      return new CpuSample(process, readCompilerThreads(), others, steal, total);
    }

    /**
     * CPU time so far of each of this JVM's JIT compiler threads (C1, C2), by thread id, from
     * {@code /proc/self/task/<tid>/schedstat} (nanoseconds on a CPU); {@code null} where that
     * cannot be read.
     */
    static Map<Integer, Long> readCompilerThreads() {
      if (!Files.isReadable(Path.of("/proc/self/schedstat"))) {
        return null;
      }
      Map<Integer, Long> threads = new java.util.HashMap<>();
      try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          String comm;
          try {
            comm = Files.readString(task.resolve("comm"));
          } catch (IOException gone) {
            continue; // the thread ended meanwhile
          }
          if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            try {
              threads.put(Integer.parseInt(task.getFileName().toString()),
                  Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]));
            } catch (java.nio.file.NoSuchFileException gone) {
              // the thread ended meanwhile
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        return null; // not Linux, or no schedstat: no compiler figure
      }
      return threads;
    }

    /**
     * Nanoseconds the JIT compiler's threads ran since {@code before}, or -1 when unknown. A
     * thread that started meanwhile counts whole; what a thread that ended meanwhile did since
     * {@code before} is missed (HotSpot ends extra compiler threads after bursts of compiling on
     * machines with many CPUs; on two there is one of each kind, for the JVM's life).
     */
    long compilerNanosSince(CpuSample before) {
      if (compilerThreadNanos == null || before.compilerThreadNanos == null) {
        return -1;
      }
      long nanos = 0;
      for (Map.Entry<Integer, Long> e : compilerThreadNanos.entrySet()) {
        nanos += Math.max(0, e.getValue() - before.compilerThreadNanos.getOrDefault(e.getKey(), 0L));
      }
      return nanos;
    }

    /** CPU ticks other processes used since {@code before} (those that ended meanwhile are missed), the watched one left out. */
    long otherTicksSince(CpuSample before) {
      long ticks = 0;
      for (Map.Entry<Integer, Long> e : otherProcessTicks.entrySet()) {
        if (e.getKey() != watched) {
          ticks += Math.max(0, e.getValue() - before.otherProcessTicks.getOrDefault(e.getKey(), 0L));
        }
      }
      return ticks;
    }

    /** CPU ticks the watched process used since {@code before}. */
    long watchedTicksSince(CpuSample before) {
      return Math.max(0, otherProcessTicks.getOrDefault(watched, 0L) - before.otherProcessTicks.getOrDefault(watched, 0L));
    }
  }

  /** The outcome of one phase. */
  record Result(String name, int clients, long ops, double seconds, double rate, double p50Millis,
      double p99Millis, double maxMillis, double meanMillis, int errors, double cpuMicrosPerOp,
      double clientCpuMicrosPerOp, double compilerCpuMicrosPerOp, double processCores, double otherCores,
      double stealCores, double redisCores, List<long[]> sides) {

    /** CPU per operation of the watched redis-server (NaN when none is watched). */
    double redisCpuMicrosPerOp() {
      return ops == 0 ? Double.NaN : redisCores * seconds * 1e6 / ops;
    }

    /** CPU per operation of everything in this JVM but the client threads: the server, when embedded. */
    double serverCpuMicrosPerOp() {
      return cpuMicrosPerOp - clientCpuMicrosPerOp;
    }

    /**
     * {@link #serverCpuMicrosPerOp()} less the JIT compiler's threads (NaN when their CPU is
     * unknown). Deployments that take turns in one JVM share Jetty's code, and a round can still
     * pay for compiling, which a server running one deployment pays once; code the request threads
     * run interpreted or deoptimised meanwhile is still counted.
     */
    double serverCpuWithoutCompilerMicrosPerOp() {
      return serverCpuMicrosPerOp() - compilerCpuMicrosPerOp;
    }

    static Result of(String name, int clients, long elapsedNanos, Worker[] workers, CpuSample before,
        CpuSample after) {
      int total = 0;
      int errors = 0;
      long clientNanos = 0;
      List<long[]> sides = new ArrayList<>();
      for (int side = 0; side < 2; side++) {
        int n = 0;
        for (Worker w : workers) {
          n += w.sides[side].count;
        }
        long[] values = new long[n];
        int at = 0;
        for (Worker w : workers) {
          System.arraycopy(w.sides[side].values, 0, values, at, w.sides[side].count);
          at += w.sides[side].count;
        }
        Arrays.sort(values);
        sides.add(values);
      }
      for (Worker w : workers) {
        total += (int) w.count;
        errors += w.errors;
        clientNanos += w.cpuEnd - w.cpuStart;
      }
      long[] all = new long[total];
      int at = 0;
      for (Worker w : workers) {
        System.arraycopy(w.latencies.values, 0, all, at, w.latencies.count);
        at += w.latencies.count;
      }
      Arrays.sort(all);
      double seconds = elapsedNanos / 1e9;
      long processNanos = after.processNanos() - before.processNanos();
      long compilerNanos = after.compilerNanosSince(before);
      double compilerMicrosPerOp = total == 0 || compilerNanos < 0 ? Double.NaN : compilerNanos / 1e3 / total;
      double processCores = processNanos / (double) elapsedNanos;
      double otherCores = Double.NaN;
      double stealCores = Double.NaN;
      double redisCores = Double.NaN;
      if (before.totalTicks() >= 0 && after.totalTicks() > before.totalTicks()) {
        long ticks = after.totalTicks() - before.totalTicks();
        int cpus = Runtime.getRuntime().availableProcessors();
        otherCores = after.otherTicksSince(before) / (double) ticks * cpus;
        stealCores = (after.stealTicks() - before.stealTicks()) / (double) ticks * cpus;
        if (CpuSample.watched >= 0) {
          redisCores = after.watchedTicksSince(before) / (double) ticks * cpus;
        }
      }
      return new Result(name, clients, total, seconds, total / seconds, percentile(all, 50) / 1e6,
          percentile(all, 99) / 1e6, total == 0 ? Double.NaN : all[total - 1] / 1e6, mean(all) / 1e6, errors,
          total == 0 ? Double.NaN : processNanos / 1e3 / total, total == 0 ? Double.NaN : clientNanos / 1e3 / total,
          compilerMicrosPerOp, processCores, otherCores, stealCores, redisCores, sides);
    }

    static double mean(long[] values) {
      double sum = 0;
      for (long v : values) {
        sum += v;
      }
      return values.length == 0 ? Double.NaN : sum / values.length;
    }

    /** The latencies of one part of each operation, as a result of their own (no CPU figures). */
    Result side(int i) {
      long[] values = sides.get(i);
      return new Result(name + (i == 0 ? "-public" : "-guarded"), clients, values.length, seconds,
          values.length / seconds, percentile(values, 50) / 1e6, percentile(values, 99) / 1e6,
          values.length == 0 ? Double.NaN : values[values.length - 1] / 1e6, mean(values) / 1e6, errors,
          Double.NaN, Double.NaN, Double.NaN, processCores, otherCores, stealCores, redisCores, List.of());
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(long[] sorted, double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String header() {
      return String.format(Locale.ROOT, "  %-18s %7s %9s %7s %10s %9s %9s %9s %6s %9s %9s %6s %6s %6s %6s %6s",
          "phase", "clients", "ops", "secs", "ops/s", "p50 ms", "p99 ms", "max ms", "errors", "cpu us/op",
          "client us", "jit us", "ours", "redis", "others", "steal");
    }

    String row() {
      return String.format(Locale.ROOT,
          "  %-18s %7d %9d %7.2f %10.1f %9.3f %9.3f %9.3f %6d %9.1f %9.1f %6.1f %6.2f %6.2f %6.2f %6.2f",
          name, clients, ops, seconds, rate, p50Millis, p99Millis, maxMillis, errors, cpuMicrosPerOp,
          clientCpuMicrosPerOp, compilerCpuMicrosPerOp, processCores, redisCores, otherCores, stealCores);
    }
  }

  /** Public and guarded rounds at one concurrency. */
  record RouteComparison(int clients, List<Result> open, List<Result> guarded, Result mixedPublic,
      Result mixedGuarded) {

    /** From the interleaved run: each client's request rate goes as 1 / its mean latency. */
    double interleavedOverheadPercent() {
      return (1 - mixedPublic.meanMillis() / mixedGuarded.meanMillis()) * 100;
    }

    double interleavedExtraMicros() {
      return (mixedGuarded.meanMillis() - mixedPublic.meanMillis()) * 1000;
    }

    double publicRate() {
      return open.stream().mapToDouble(Result::rate).average().orElse(Double.NaN);
    }

    double guardedRate() {
      return guarded.stream().mapToDouble(Result::rate).average().orElse(Double.NaN);
    }

    double overheadPercent() {
      return (1 - guardedRate() / publicRate()) * 100;
    }

    /** Each round pairs a public run with the guarded run right after it; the median pair's overhead. */
    double medianRoundOverheadPercent() {
      double[] v = new double[open.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (1 - guarded.get(i).rate() / open.get(i).rate()) * 100;
      }
      Arrays.sort(v);
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    double publicCpu() {
      return median(open, Result::cpuMicrosPerOp);
    }

    double guardedCpu() {
      return median(guarded, Result::cpuMicrosPerOp);
    }

    /** Extra CPU per request on the guarded route, as a share of the public route's. */
    double cpuOverheadPercent() {
      return (guardedCpu() / publicCpu() - 1) * 100;
    }

    double publicServerCpu() {
      return median(open, Result::serverCpuMicrosPerOp);
    }

    double guardedServerCpu() {
      return median(guarded, Result::serverCpuMicrosPerOp);
    }

    double otherCores() {
      return java.util.stream.Stream.concat(open.stream(), guarded.stream())
          .mapToDouble(Result::otherCores).max().orElse(Double.NaN);
    }

    double stealCores() {
      return java.util.stream.Stream.concat(open.stream(), guarded.stream())
          .mapToDouble(Result::stealCores).max().orElse(Double.NaN);
    }

    static double median(List<Result> results, java.util.function.ToDoubleFunction<Result> f) {
      double[] v = results.stream().mapToDouble(f).sorted().toArray();
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // One complete flow, as a browser and a confidential client do it

  private final class Flow {
    private final RawHttp http;
    private final String username;
    private final String password;
    private final String basic;

    Flow(RawHttp http, String username, String password) {
      this.http = http;
      this.username = username;
      this.password = password;
      this.basic = "Basic " + Base64.getEncoder().encodeToString(
          (form(BenchConfig.CLIENT_ID) + ":" + form(BenchConfig.CLIENT_SECRET)).getBytes(StandardCharsets.UTF_8));
    }

    void runTimed() throws IOException {
      run();
    }

    /** authorize page -> approve -> token; returns the access token after checking every answer. */
    String run() throws IOException {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String verifier = HexFormat.of().formatHex(bytes);
      String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
      String state = Long.toHexString(random.nextLong());

      // 1. The browser opens the authorization URL and gets the approval page.
      RawHttp.Response page = http.send("GET", contextPath + AUTHORIZE + "?response_type=code&client_id="
          + form(BenchConfig.CLIENT_ID) + "&redirect_uri=" + form(BenchConfig.REDIRECT_URI) + "&scope="
          + BenchConfig.SCOPE + "&state=" + state + "&code_challenge=" + challenge
          + "&code_challenge_method=S256", null, null);
      check(page.status() == 200, "authorize page", page);
      String action = between(page.body(), "<form method=\"post\" action=\"", "\"");
      String transactionId = between(page.body(), "name=\"transaction_id\" value=\"", "\"");
      String csrf = between(page.body(), "name=\"csrf_token\" value=\"", "\"");
      check(action != null && transactionId != null && csrf != null, "approval form fields", page);

      // 2. The user approves with gateway credentials; the browser is sent back with a code.
      RawHttp.Response approved = http.send("POST", action.replace("&amp;", "&"),
          "application/x-www-form-urlencoded", "transaction_id=" + transactionId + "&csrf_token=" + csrf
              + "&username=" + form(username) + "&password=" + form(password) + "&decision=approve");
      check(approved.status() == 302 && approved.location() != null
          && approved.location().startsWith(BenchConfig.REDIRECT_URI + "?code="), "approval redirect", approved);
      Map<String, String> query = query(approved.location());
      check(state.equals(query.get("state")), "state echoed", approved);

      // 3. The client trades code and verifier for a token (HTTP Basic, form body).
      RawHttp.Response token = http.send("POST", contextPath + TOKEN, "application/x-www-form-urlencoded",
          "grant_type=authorization_code&code=" + form(query.get("code")) + "&redirect_uri="
              + form(BenchConfig.REDIRECT_URI) + "&code_verifier=" + verifier, "Authorization", basic);
      check(token.status() == 200, "token response", token);
      JsonObject json = JsonParser.parseString(token.body()).getAsJsonObject();
      String accessToken = json.get("access_token").getAsString();
      check(accessToken.length() == 64 && BenchConfig.SCOPE.equals(json.get("scope").getAsString()),
          "token response body", token);
      return accessToken;
    }
  }

  private static void check(boolean ok, String what, RawHttp.Response response) throws IOException {
    if (!ok) {
      String body = response.body() == null ? "" : response.body();
      throw new IOException(what + ": unexpected status " + response.status()
          + (response.location() == null ? "" : " Location " + response.location()) + " "
          + body.substring(0, Math.min(200, body.length())).replaceAll("\\s+", " "));
    }
  }

  private static String between(String text, String before, String after) {
    int start = text.indexOf(before);
    if (start < 0) {
      return null;
    }
    start += before.length();
    int end = text.indexOf(after, start);
    return end < 0 ? null : text.substring(start, end);
  }

  private static Map<String, String> query(String location) {
    Map<String, String> parameters = new LinkedHashMap<>();
    int q = location.indexOf('?');
    for (String pair : location.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return parameters;
  }

  private static String form(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  private String markdown(String started, List<Result> flows, List<Result> pbkdf2, List<RouteComparison> routes,
      int errors) {
    StringBuilder md = new StringBuilder();
    md.append("<!-- LoadBenchmark results, started ").append(started).append(" -->\n");
    md.append("Target: ").append(embedded ? "target/portcullis.war in embedded Jetty 12 (same JVM), " : "")
        .append(url).append("; JVM: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append(", flags `")
        .append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append("`; ")
        .append(Runtime.getRuntime().availableProcessors()).append(" CPUs visible.\n\n");
    md.append("Complete flows ({noop} user), ").append(durationSeconds).append(" s per level:\n\n");
    flowTable(md, flows);
    if (!pbkdf2.isEmpty()) {
      md.append("\nComplete flows ({pbkdf2-sha256} user, 600,000 iterations), ").append(pbkdf2DurationSeconds)
          .append(" s per level:\n\n");
      flowTable(md, pbkdf2);
    }
    md.append("\nGuarded vs public route (").append(rounds).append(" rounds of ")
        .append(routeDurationSeconds).append(" s each, public first in even rounds and guarded first in odd ones;"
            + " req/s is the mean of the rounds, overhead = 1 - guarded/public;"
            + " CPU is this JVM's CPU time per request, median of the rounds; \"server\" leaves out the client"
            + " threads' own CPU time):\n\n");
    md.append("| clients | public req/s | guarded req/s | overhead (mean) | overhead (median round) |"
        + " public p50 / p99 ms | guarded p50 / p99 ms | CPU us/req public / guarded | CPU overhead |"
        + " server CPU us/req public / guarded | other processes / steal (cores) | rounds public | rounds guarded |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (RouteComparison r : routes) {
      md.append(String.format(Locale.ROOT,
          "| %d | %.0f | %.0f | %.1f %% | %.1f %% | %.3f / %.3f | %.3f / %.3f | %.1f / %.1f | %+.1f %% | %s | %.2f / %.2f | %s | %s |%n",
          r.clients(), r.publicRate(), r.guardedRate(), r.overheadPercent(), r.medianRoundOverheadPercent(),
          RouteComparison.median(r.open(), Result::p50Millis), RouteComparison.median(r.open(), Result::p99Millis),
          RouteComparison.median(r.guarded(), Result::p50Millis),
          RouteComparison.median(r.guarded(), Result::p99Millis),
          r.publicCpu(), r.guardedCpu(), r.cpuOverheadPercent(),
          embedded ? String.format(Locale.ROOT, "%.1f / %.1f", r.publicServerCpu(), r.guardedServerCpu()) : "n/a",
          r.otherCores(), r.stealCores(), rates(r.open()), rates(r.guarded())));
    }
    md.append("\nInterleaved (each client alternates a public and a guarded request, each timed; ")
        .append(2 * routeDurationSeconds).append(" s per level; overhead = 1 - mean public / mean guarded latency,"
            + " which is what it does to each client's request rate):\n\n");
    md.append("| clients | public mean / p50 / p99 ms | guarded mean / p50 / p99 ms | extra per guarded request |"
        + " overhead |\n");
    md.append("|---:|---:|---:|---:|---:|\n");
    for (RouteComparison r : routes) {
      md.append(String.format(Locale.ROOT, "| %d | %.3f / %.3f / %.3f | %.3f / %.3f / %.3f | %+.1f us | %.1f %% |%n",
          r.clients(), r.mixedPublic().meanMillis(), r.mixedPublic().p50Millis(), r.mixedPublic().p99Millis(),
          r.mixedGuarded().meanMillis(), r.mixedGuarded().p50Millis(), r.mixedGuarded().p99Millis(),
          r.interleavedExtraMicros(), r.interleavedOverheadPercent()));
    }
    md.append("\n\"Other processes\" is the CPU time every other process on the machine used during a phase"
        + " (the highest of the rounds for routes), from /proc/*/stat; \"steal\" is time the hypervisor gave"
        + " this machine's CPUs to other guests, from /proc/stat. Both 0 means the machine was ours.\n");
    md.append("\nFailed requests: ").append(errors).append(".\n");
    return md.toString();
  }

  private static String rates(List<Result> results) {
    return String.join(", ", results.stream().map(r -> String.format(Locale.ROOT, "%.0f", r.rate())).toList());
  }

  private void flowTable(StringBuilder md, List<Result> results) {
    md.append("| clients | flows | flows/s | p50 ms | p99 ms | max ms | CPU ms/flow (client + server) |"
        + " other processes / steal (cores) |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.2f | %.2f | %.2f | %.2f (%.2f + %.2f) | %.2f / %.2f |%n",
          r.clients(), r.ops(), r.rate(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.cpuMicrosPerOp() / 1000,
          r.clientCpuMicrosPerOp() / 1000, r.serverCpuMicrosPerOp() / 1000, r.otherCores(), r.stealCores()));
    }
  }
}
