package io.portcullis.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.portcullis.it.PortcullisServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many guesses an attacker on one address gets, with Portcullis' throttling and without it
 * (every limit a million, hashing permits 1024 — the server as it was before throttling), and
 * with only the hashing permits, over real HTTP against the WAR in embedded Jetty:
 * <ol>
 *   <li>wrong client secrets at the token endpoint ({@code {sha256}} secret, Basic);
 *   <li>wrong passwords on approval pages for the {@code {noop}} user, a new page after every five;
 *   <li>the same for the PBKDF2 user, while another client asks {@code /public/…} for the latency
 *       everyone else sees.
 * </ol>
 * A guess counts as checked when its answer says wrong (401, or the {@code access_denied} that
 * ends a page); 429 answers are guesses refused unchecked.
 *
 * <pre>
 *   java -cp target/classes:target/test-classes:$(cat cp.txt) io.portcullis.bench.GuessingBenchmark [seconds] [threads]
 * </pre>
 * {@code bench/guessing.sh} builds and runs it.
 */
public final class GuessingBenchmark {

  private static final Pattern HIDDEN = Pattern.compile("name=\"(transaction_id|csrf_token)\" value=\"([^\"]*)\"");

  private final int seconds;
  private final int threads;

  private GuessingBenchmark(int seconds, int threads) {
    this.seconds = seconds;
    this.threads = threads;
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    new GuessingBenchmark(seconds, threads).run();
    System.exit(0);
  }

  /** The servers compared: as before throttling, with only the hashing permits, as shipped. */
  private enum Mode {
    OFF("off", "{\"userFailures\": 1000000, \"addressFailures\": 1000000, \"clientFailures\": 1000000, "
        + "\"concurrentPasswordChecks\": 1024}"),
    PERMITS_ONLY("hashing permits only", "{\"userFailures\": 1000000, \"addressFailures\": 1000000, "
        + "\"clientFailures\": 1000000}"),
    DEFAULTS("defaults", null);

    final String label;
    final String throttling;

    Mode(String label, String throttling) {
      this.label = label;
      this.throttling = throttling;
    }
  }

  private void run() throws Exception {
    System.out.printf("%d threads, %d s a phase, one address (127.0.0.1)%n%n", threads, seconds);
    System.out.println("| | throttling | checked guesses | refused unchecked (429) | busy (503) "
        + "| checked guesses per minute | other client's /public p50 / p99 (ms) |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    for (Mode mode : Mode.values()) {
      try (PortcullisServer server = PortcullisServer.start(config(mode))) {
        String base = server.baseUrl();
        if (mode != Mode.PERMITS_ONLY) {
          report("wrong client secrets", mode, secrets(base), null);
          report("wrong passwords, {noop} user", mode, passwords(base, BenchConfig.FAST_USER), null);
        }
        Latency other = new Latency();
        Result pbkdf2 = passwordsWhileOthersAsk(base, other);
        report("wrong passwords, PBKDF2 user", mode, pbkdf2, other);
      }
    }
  }

  private static Path config(Mode mode) throws Exception {
    JsonObject root = BenchConfig.json();
    if (mode.throttling != null) {
      root.add("throttling", JsonParser.parseString(mode.throttling));
    }
    Path file = Files.createTempFile("portcullis-guessing", ".json");
    Files.writeString(file, root.toString());
    return file;
  }

  private void report(String what, Mode mode, Result result, Latency other) {
    System.out.printf("| %s | %s | %,d | %,d | %,d | %,.0f | %s |%n", what, mode.label,
        result.checked.get(), result.refused.get(), result.busy.get(), result.checked.get() * 60.0 / seconds,
        other == null ? "" : other.summary());
  }

  private static final class Result {
    final AtomicLong checked = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong busy = new AtomicLong();

    void count(int status) {
      if (status == 401 || status == 302) {
        checked.incrementAndGet();
      } else if (status == 429) {
        refused.incrementAndGet();
      } else if (status == 503) {
        busy.incrementAndGet();
      }
    }
  }

  private static final class Latency {
    final List<Long> nanos = java.util.Collections.synchronizedList(new ArrayList<>());

    String summary() {
      List<Long> sorted = new ArrayList<>(nanos);
      sorted.sort(null);
      if (sorted.isEmpty()) {
        return "none answered";
      }
      return String.format("%.1f / %.1f", sorted.get(sorted.size() / 2) / 1e6,
          sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6);
    }
  }

  private Result secrets(String base) throws Exception {
    Result result = new Result();
    HttpClient http = HttpClient.newHttpClient();
    hammer(() -> {
      String basic = "Basic " + Base64.getEncoder().encodeToString((BenchConfig.CLIENT_ID + ":guess-"
          + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(base
              + "/invoke/pub.apigateway.oauth2/getAccessToken"))
          .header("Authorization", basic).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
          HttpResponse.BodyHandlers.discarding());
      result.count(response.statusCode());
    });
    return result;
  }

  private Result passwords(String base, String user) throws Exception {
    Result result = new Result();
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    ConcurrentHashMap<Thread, String[]> pages = new ConcurrentHashMap<>();
    hammer(() -> {
      String[] page = pages.get(Thread.currentThread());
      if (page == null) {
        page = page(http, base);
        pages.put(Thread.currentThread(), page);
      }
      String form = "transaction_id=" + page[0] + "&csrf_token=" + page[1] + "&username=" + user
          + "&password=guess-" + System.nanoTime() + "&decision=approve";
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(base
              + "/invoke/pub.apigateway.oauth2/authorize"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.discarding());
      result.count(response.statusCode());
      if (response.statusCode() != 401) {
        pages.remove(Thread.currentThread()); // the page is spent: the next guess opens another
      }
    });
    return result;
  }

  private Result passwordsWhileOthersAsk(String base, Latency other) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Thread asker = new Thread(() -> {
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      while (System.nanoTime() < end) {
        long start = System.nanoTime();
        try {
          http.send(HttpRequest.newBuilder(URI.create(base + BenchConfig.PUBLIC_PATH)).build(),
              HttpResponse.BodyHandlers.discarding());
          other.nanos.add(System.nanoTime() - start);
          Thread.sleep(20);
        } catch (Exception e) {
          return;
        }
      }
    });
    asker.start();
    Result result = passwords(base, BenchConfig.PBKDF2_USER);
    asker.join();
    return result;
  }

  private static String[] page(HttpClient http, String base) throws Exception {
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(java.security.MessageDigest
        .getInstance("SHA-256").digest("v".repeat(43).getBytes(StandardCharsets.US_ASCII)));
    String query = "response_type=code&client_id=" + BenchConfig.CLIENT_ID + "&redirect_uri="
        + URLEncoder.encode(BenchConfig.REDIRECT_URI, StandardCharsets.UTF_8) + "&code_challenge=" + challenge
        + "&code_challenge_method=S256";
    String html = http.send(HttpRequest.newBuilder(URI.create(base + "/invoke/pub.apigateway.oauth2/authorize?"
        + query)).build(), HttpResponse.BodyHandlers.ofString()).body();
    String[] hidden = new String[2];
    Matcher m = HIDDEN.matcher(html);
    while (m.find()) {
      hidden[m.group(1).equals("transaction_id") ? 0 : 1] = m.group(2);
    }
    return hidden;
  }

  @FunctionalInterface
  private interface Attempt {
    void run() throws Exception;
  }

  /**
   * {@code threads} threads repeating {@code attempt} for {@code seconds}. A failed attempt (the
   * server closing a connection on a 503, say) is counted and the thread goes on.
   */
  private void hammer(Attempt attempt) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong failed = new AtomicLong();
    try {
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        workers.add(pool.submit(() -> {
          while (System.nanoTime() < end) {
            try {
              attempt.run();
            } catch (Exception e) {
              failed.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> worker : workers) {
        worker.get();
      }
    } finally {
      pool.shutdownNow();
    }
    if (failed.get() > 0) {
      System.err.println(failed.get() + " attempts failed on the client side");
    }
  }
}
