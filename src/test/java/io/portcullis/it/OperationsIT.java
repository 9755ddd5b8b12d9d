package io.portcullis.it;

import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.portcullis.testing.Concurrently;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operations endpoints below {@code operations.path} over real HTTP: health probes without
 * credentials, metrics behind an operator's Basic credentials (throttled like any password), and
 * {@code X-Request-Id} on every answer and in the audit trail.
 */
class OperationsIT {

  static final String OPS = "/ops";
  static final int OPERATOR_FAILURES = 4;

  /** Every path but the operations ones needs a token: the probes must answer all the same. */
  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants()
      .route("/*", "email")
      .set("operations", JsonParser.parseString("""
          {"path": "/ops", "operators": [
            {"username": "ops", "password": "{noop}ops-password", "roles": ["metrics", "admin"]},
            {"username": "watcher", "password": "{noop}watcher-password", "roles": ["metrics"]},
            {"username": "admin-only", "password": "{noop}admin-password", "roles": ["admin"]},
            {"username": "guessed", "password": "{noop}guessed-password", "roles": ["metrics"]}]}"""))
      .set("throttling", JsonParser.parseString("{\"userFailures\": " + OPERATOR_FAILURES + "}")));
  static final OAuthClient client = new OAuthClient(server);

  /** Metrics public; below the operations path, a public route: what no endpoint answers is a 404 there. */
  @RegisterExtension static final PortcullisServer open = PortcullisServer.deploy(ConfigJson.grants()
      .publicRoute("/portcullis/*")
      .set("operations", JsonParser.parseString("{\"metricsPublic\": true}")));
  static final OAuthClient openClient = new OAuthClient(open);

  static final ExecutorService pool = Executors.newFixedThreadPool(20);

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  static String basic(String username, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> metrics(String username, String password) throws Exception {
    return client.get(OPS + "/metrics", "Authorization", basic(username, password));
  }

  @Test
  void healthProbesAnswerWithoutCredentialsAndSayNothingElse() throws Exception {
    HttpResponse<String> live = client.get(OPS + "/health/live");
    assertEquals(200, live.statusCode(), live.body());
    assertEquals("{\"status\":\"UP\"}", live.body());
    HttpResponse<String> ready = client.get(OPS + "/health/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals("{\"status\":\"UP\",\"checks\":{\"config\":\"UP\",\"store\":\"UP\"}}", ready.body());
    assertEquals("no-store", ready.headers().firstValue("Cache-Control").orElseThrow());
    // The route rule "/*" guards everything else: the probes are not routes.
    assertEquals(401, client.get("/anything").statusCode());
  }

  @Test
  void metricsNeedAnOperatorWithTheMetricsRole() throws Exception {
    HttpResponse<String> none = client.get(OPS + "/metrics");
    assertEquals(401, none.statusCode());
    assertEquals("Basic realm=\"portcullis operations\", charset=\"UTF-8\"",
        none.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals("unauthorized", OAuthClient.json(none).get("error").getAsString());
    HttpResponse<String> wrong = metrics("watcher", "not-the-password");
    assertEquals(401, wrong.statusCode());
    HttpResponse<String> unknown = metrics("nobody", "watcher-password");
    assertEquals(401, unknown.statusCode());
    assertEquals(OAuthClient.json(wrong).toString(), OAuthClient.json(unknown).toString(), "reveals no operator");
    HttpResponse<String> forbidden = metrics("admin-only", "admin-password");
    assertEquals(403, forbidden.statusCode());
    assertEquals("forbidden", OAuthClient.json(forbidden).get("error").getAsString());
    HttpResponse<String> scraped = metrics("watcher", "watcher-password");
    assertEquals(200, scraped.statusCode(), scraped.body());
    assertTrue(scraped.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
    assertTrue(scraped.body().contains("jvm_memory_used_bytes"), "JVM metrics");
  }

  @Test
  void metricsCountWhatHappensWithLabelsFromTheConfigOnly() throws Exception {
    HttpResponse<String> token = client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", OAuthClient.basic(SERVICE, SERVICE_SECRET));
    assertEquals(200, token.statusCode(), token.body());
    String access = OAuthClient.json(token).get("access_token").getAsString();
    assertEquals(200, client.get("/api/orders", "Authorization", "Bearer " + access).statusCode());
    assertEquals(401, client.get("/api/orders", "Authorization", "Bearer no-such-token").statusCode());
    assertEquals(400, client.postForm(TOKEN, params("grant_type", "authorization_code", "code", "nope",
        "redirect_uri", "http://x/cb", "code_verifier", "v".repeat(43)),
        "Authorization", OAuthClient.basic(ConfigJson.REFRESHING, ConfigJson.REFRESHING_SECRET)).statusCode());
    // A client id nobody registered, sent as input: it must never become a label.
    assertEquals(401, client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", OAuthClient.basic("evil-label-injection", "x")).statusCode());

    String text = metrics("ops", "ops-password").body();
    assertTrue(text.contains("portcullis_tokens_issued_total{client=\"" + SERVICE
        + "\",grant_type=\"client_credentials\"} "), text);
    assertTrue(text.contains("portcullis_bearer_checks_total{outcome=\"pass\",route=\"/api/*\"} "), text);
    assertTrue(text.contains("portcullis_bearer_checks_total{outcome=\"invalid\",route=\"/api/*\"} "), text);
    assertTrue(text.contains("portcullis_requests_total{endpoint=\"token\",outcome=\"invalid_grant\"} "), text);
    assertTrue(text.contains("portcullis_requests_total{endpoint=\"token\",outcome=\"invalid_client\"} "), text);
    assertTrue(text.contains("portcullis_store_operation_seconds_bucket{operation=\"findAccessToken\",outcome=\"ok\""),
        text);
    assertTrue(text.contains("portcullis_store_entries{kind=\"access_tokens\"} "), text);
    assertTrue(text.contains("portcullis_store_evictions_total{kind=\"access_tokens\"} "), text);
    assertTrue(text.contains("portcullis_config_reloads_total{result=\"refused\"} 0.0"), text);
    assertFalse(text.contains("evil-label-injection"), "a label from request input");
    assertFalse(text.contains(SERVICE_SECRET) || text.contains(access), "a secret or token in the metrics");
  }

  /** Operators' passwords are guessed like any: no more than the limit checked, however many at once. */
  @Test
  void parallelGuessesOfAnOperatorPasswordGetNoMoreChecksThanTheLimit() throws Exception {
    List<Callable<HttpResponse<String>>> guesses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String guess = "guess-" + i;
      guesses.add(() -> metrics("guessed", guess));
    }
    List<HttpResponse<String>> answers = Concurrently.atOnce(pool, guesses);
    assertEquals(OPERATOR_FAILURES, answers.stream().filter(a -> a.statusCode() == 401).count());
    assertEquals(40 - OPERATOR_FAILURES, answers.stream().filter(a -> a.statusCode() == 429).count());
    HttpResponse<String> locked = metrics("guessed", "guessed-password");
    assertEquals(429, locked.statusCode(), "the right password, after the limit, is not checked");
    assertTrue(locked.headers().firstValue("Retry-After").isPresent());
  }

  @Test
  void publicMetricsNeedNoCredentials() throws Exception {
    HttpResponse<String> scraped = openClient.get("/portcullis/metrics");
    assertEquals(200, scraped.statusCode(), scraped.body());
    assertTrue(scraped.body().contains("portcullis_config_version"), scraped.body());
  }

  /**
   * Only the four endpoints are exempt from the route rules: anything else below the path is a
   * route like any other (in a host webapp, its own servlets may answer there).
   */
  @Test
  void unknownPathsAndMethodsAreRefusedWithJson() throws Exception {
    assertEquals(401, client.get(OPS + "/nothing-here").statusCode(), "the route rule /* applies below /ops too");
    assertEquals(401, client.get(OPS + "/health/live/more").statusCode());
    HttpResponse<String> missing = openClient.get("/portcullis/nothing-here");
    assertEquals(404, missing.statusCode());
    assertEquals("not_found", OAuthClient.json(missing).get("error").getAsString());
    HttpResponse<String> post = client.postForm(OPS + "/health/live", params("x", "y"));
    assertEquals(405, post.statusCode());
    assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
    RawHttp.Response head = RawHttp.exchange(server, List.of("HEAD " + OPS + "/admin/revoke HTTP/1.1"), null);
    assertEquals(405, head.status());
    assertEquals("POST", head.firstHeader("Allow"));
  }

  /** Load balancers probe with HEAD: the GET answer's status and headers, no body (RFC 9110 §9.3.2). */
  @Test
  void headAnswersAsGetDoesWithoutABody() throws Exception {
    for (String path : List.of(OPS + "/health/live", OPS + "/health/ready", OPS + "/metrics")) {
      String credentials = "Authorization: " + basic("watcher", "watcher-password");
      RawHttp.Response get = RawHttp.exchange(server, List.of("GET " + path + " HTTP/1.1", credentials), null);
      RawHttp.Response head = RawHttp.exchange(server, List.of("HEAD " + path + " HTTP/1.1", credentials), null);
      assertEquals(200, get.status(), path);
      assertEquals(200, head.status(), path);
      assertEquals("", head.body(), path + ": no body after the head of the answer");
      assertEquals(get.firstHeader("Content-Type"), head.firstHeader("Content-Type"), path);
      if (!path.endsWith("/metrics")) { // the scrape's own figures change from one request to the next
        assertEquals(Integer.toString(get.body().getBytes(StandardCharsets.UTF_8).length),
            head.firstHeader("Content-Length"), path);
      }
    }
    RawHttp.Response anonymous = RawHttp.exchange(server, List.of("HEAD " + OPS + "/metrics HTTP/1.1"), null);
    assertEquals(401, anonymous.status(), "HEAD needs the operator GET needs");
    assertEquals("", anonymous.body());
  }

  @Test
  void everyAnswerCarriesARequestIdThatTheAuditTrailNames() throws Exception {
    HttpResponse<String> made = client.get(OPS + "/health/live");
    assertTrue(made.headers().firstValue("X-Request-Id").orElseThrow().matches("[0-9a-f]{24}"));
    HttpResponse<String> kept = client.get("/anything", "X-Request-Id", "lb-7f3a.42");
    assertEquals("lb-7f3a.42", kept.headers().firstValue("X-Request-Id").orElseThrow(), "a proxy's safe id is kept");
    String unsafe = "x".repeat(65);
    HttpResponse<String> replaced = client.get("/anything", "X-Request-Id", unsafe);
    assertTrue(replaced.headers().firstValue("X-Request-Id").orElseThrow().matches("[0-9a-f]{24}"));
    HttpResponse<String> quoted = client.get("/anything", "X-Request-Id", "a\"b");
    assertTrue(quoted.headers().firstValue("X-Request-Id").orElseThrow().matches("[0-9a-f]{24}"));

    try (LogCapture log = LogCapture.start()) {
      HttpResponse<String> token = client.postForm(TOKEN, params("grant_type", "client_credentials"),
          "Authorization", OAuthClient.basic(SERVICE, SERVICE_SECRET), "X-Request-Id", "trace-123");
      assertEquals("trace-123", token.headers().firstValue("X-Request-Id").orElseThrow());
      assertTrue(log.lines().stream().anyMatch(l -> l.contains("event=token_issued") && l.contains("request_id=trace-123")),
          log.lines().toString());
    }
  }
}
