package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.Grants.INTROSPECT;
import static io.portcullis.it.Grants.REVOKE;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.portcullis.testing.Concurrently;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guessing across approval pages and token requests is throttled (RFC 6749 §10.10), over real
 * HTTP and hit with parallel requests: per username (known or not), per client id, with 429 and
 * {@code Retry-After}, the password or secret then not checked at all, and every limit lifting
 * by itself when its window closes.
 */
class ThrottlingIT {

  static final int USER_FAILURES = 4;
  static final int CLIENT_FAILURES = 5;
  /** A client of its own for the busy-client test: the others here are locked by guessing tests. */
  static final String BUSY = "busy-service";
  static final String BUSY_SECRET = "busy-service-secret";
  /** Users of their own for the page-tries test: the others here are locked by guessing tests. */
  static final String LOCKED_OUT = "locked-out";
  static final String COLLEAGUE = "colleague";

  /** Windows of five minutes: a burst never straddles two. */
  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants()
      .user(LOCKED_OUT, "locked-out-password").user(COLLEAGUE, "colleague-password")
      .client(ConfigJson.Client.confidential(BUSY, BUSY_SECRET).withoutRedirectUris().scopes("email")
          .grantTypes("client_credentials").resourceServer(true))
      .set("throttling", JsonParser.parseString("{\"windowSeconds\": 300, \"userFailures\": " + USER_FAILURES
          + ", \"addressFailures\": 10000, \"clientFailures\": " + CLIENT_FAILURES + "}")));
  static final OAuthClient client = new OAuthClient(server);

  /** Windows of two seconds, to watch a limit lift. */
  @RegisterExtension static final PortcullisServer brief = PortcullisServer.deploy(ConfigJson.grants()
      .set("throttling", JsonParser.parseString("{\"windowSeconds\": 2, \"userFailures\": 2, "
          + "\"addressFailures\": 10000, \"clientFailures\": 2}")));
  static final OAuthClient briefClient = new OAuthClient(brief);

  static final ExecutorService pool = Executors.newFixedThreadPool(40);

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  static Map<String, String> authorizeQuery() {
    return params("response_type", "code", "client_id", CONFIDENTIAL, "redirect_uri", CONFIDENTIAL_REDIRECT,
        "code_challenge", OAuthClient.challenge(OAuthClient.newVerifier()), "code_challenge_method", "S256");
  }

  /** Runs every call at once and returns the answers in order. */
  static List<HttpResponse<String>> atOnce(List<Callable<HttpResponse<String>>> calls) throws Exception {
    return Concurrently.atOnce(pool, calls);
  }

  static long count(List<HttpResponse<String>> answers, int status) {
    return answers.stream().filter(a -> a.statusCode() == status).count();
  }

  static void assertThrottled(HttpResponse<String> answer) {
    assertEquals(429, answer.statusCode(), answer.body());
    long retryAfter = Long.parseLong(answer.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 300, "Retry-After: " + retryAfter);
  }

  // ---- users ----

  @Test
  void parallelWrongPasswordsAcrossPagesGetNoMoreChecksThanTheUsersLimit() throws Exception {
    String user = "Administrator";
    List<OAuthClient.ApprovalPage> pages = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pages.add(client.authorize(authorizeQuery()));
    }
    List<Callable<HttpResponse<String>>> guesses = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      OAuthClient.ApprovalPage page = pages.get(i % pages.size()); // 3 a page: within each page's own 5
      String guess = "guess-" + i;
      guesses.add(() -> client.decide(page, "approve", user, guess));
    }
    List<HttpResponse<String>> answers = atOnce(guesses);
    assertEquals(USER_FAILURES, count(answers, 401), "passwords checked");
    assertEquals(30 - USER_FAILURES, count(answers, 429));
    answers.stream().filter(a -> a.statusCode() == 429).forEach(ThrottlingIT::assertThrottled);
    assertTrue(answers.stream().filter(a -> a.statusCode() == 429).allMatch(a -> a.body()
        .contains("Too many sign-in attempts")), "the page says why");

    // Now the right password is not checked either: the answer a wrong one gets.
    HttpResponse<String> right = client.decide(client.authorize(authorizeQuery()), "approve", user, PASSWORD);
    assertThrottled(right);
  }

  /**
   * Twenty sign-ins at once on one page for a locked-out user: none is checked, so none costs the
   * page one of its five tries — a colleague with the right password then approves on that page.
   */
  @Test
  void signInsRefusedByTheThrottleCostThePageNoneOfItsTries() throws Exception {
    for (int i = 0; i < USER_FAILURES; i++) {
      assertEquals(401, client.decide(client.authorize(authorizeQuery()), "approve", LOCKED_OUT, "guess-" + i)
          .statusCode());
    }
    OAuthClient.ApprovalPage page = client.authorize(authorizeQuery());
    List<Callable<HttpResponse<String>>> whileLocked = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      whileLocked.add(() -> client.decide(page, "approve", LOCKED_OUT, "locked-out-password"));
    }
    atOnce(whileLocked).forEach(ThrottlingIT::assertThrottled);
    HttpResponse<String> approved = client.decide(page, "approve", COLLEAGUE, "colleague-password");
    assertEquals(302, approved.statusCode(), approved.body());
    assertTrue(OAuthClient.redirectParameters(approved).containsKey("code"), "the page kept its five tries");
  }

  @Test
  void anUnknownUsernameIsThrottledLikeAKnownOne() throws Exception {
    OAuthClient.ApprovalPage page = client.authorize(authorizeQuery());
    for (int i = 0; i < USER_FAILURES; i++) {
      assertEquals(401, client.decide(page, "approve", "no-such-user", "guess-" + i).statusCode());
      page = client.authorize(authorizeQuery());
    }
    assertThrottled(client.decide(page, "approve", "no-such-user", "guess"));
  }

  // ---- clients ----

  @Test
  void parallelWrongSecretsGetNoMore401sThanTheClientsLimit() throws Exception {
    List<Callable<HttpResponse<String>>> guesses = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String guess = "guess-" + i;
      String path = List.of(TOKEN, INTROSPECT, REVOKE).get(i % 3);
      guesses.add(() -> client.postForm(path, params("grant_type", "client_credentials", "token", "t"),
          "Authorization", basic(SERVICE, guess)));
    }
    List<HttpResponse<String>> answers = atOnce(guesses);
    assertEquals(CLIENT_FAILURES, count(answers, 401));
    assertEquals(60 - CLIENT_FAILURES, count(answers, 429));
    for (HttpResponse<String> answer : answers) {
      if (answer.statusCode() == 429) {
        assertThrottled(answer);
        assertEquals("temporarily_unavailable", OAuthClient.json(answer).get("error").getAsString());
      }
    }
    // The right secret is not checked now, at any of the three endpoints, alone or in a burst.
    for (String path : List.of(TOKEN, INTROSPECT, REVOKE)) {
      assertThrottled(client.postForm(path, params("grant_type", "client_credentials", "token", "t"),
          "Authorization", basic(SERVICE, SERVICE_SECRET)));
    }
    List<Callable<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String secret = i == 17 ? SERVICE_SECRET : "late-guess-" + i;
      burst.add(() -> client.postForm(TOKEN, params("grant_type", "client_credentials"),
          "Authorization", basic(SERVICE, secret)));
    }
    assertEquals(30, count(atOnce(burst), 429));
    // Another client from the same address is not held up (authenticated: only its grant is wrong).
    HttpResponse<String> other = client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(ConfigJson.REFRESHING, ConfigJson.REFRESHING_SECRET));
    assertEquals(400, other.statusCode(), other.body());
    assertEquals("unauthorized_client", OAuthClient.json(other).get("error").getAsString());
  }

  /** The right secret in the burst that reaches the limit: checked only if it is among the first five. */
  @Test
  void theRightSecretInABurstIsCheckedOnlyWithinTheLimit() throws Exception {
    List<Callable<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String secret = i == 23 ? ConfigJson.RESOURCE_SECRET : "guess-" + i;
      burst.add(() -> client.postForm(TOKEN, params("grant_type", "client_credentials"),
          "Authorization", basic(ConfigJson.RESOURCE, secret)));
    }
    List<HttpResponse<String>> answers = atOnce(burst);
    assertEquals(CLIENT_FAILURES, count(answers, 401), "wrong secrets checked");
    assertTrue(count(answers, 200) <= 1, "the right one, if it came while the limit was not yet full");
    assertEquals(40 - CLIENT_FAILURES - count(answers, 200), count(answers, 429));
  }

  /**
   * A resource server that sends many right secrets at once — far more than the client's limit —
   * is never throttled: attempts being checked make others wait a moment, they are not failures.
   */
  @Test
  void aBusyClientWithTheRightSecretIsNeverThrottled() throws Exception {
    HttpResponse<String> issued = client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(BUSY, BUSY_SECRET));
    assertEquals(200, issued.statusCode(), issued.body());
    String token = OAuthClient.json(issued).get("access_token").getAsString();
    List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(i % 2 == 0
          ? () -> client.postForm(TOKEN, params("grant_type", "client_credentials"), "Authorization",
              basic(BUSY, BUSY_SECRET))
          : () -> client.postForm(INTROSPECT, params("token", token), "Authorization", basic(BUSY, BUSY_SECRET)));
    }
    List<HttpResponse<String>> answers = atOnce(calls);
    assertEquals(200, count(answers, 200), answers.stream().filter(a -> a.statusCode() != 200)
        .map(a -> a.statusCode() + " " + a.body()).distinct().toList().toString());
  }

  // ---- windows close ----

  @Test
  void limitsLiftByThemselves() throws Exception {
    for (int i = 0; i < 2; i++) {
      assertEquals(401, briefClient.postForm(TOKEN, params("grant_type", "client_credentials"),
          "Authorization", basic(SERVICE, "guess-" + i)).statusCode());
      assertEquals(401, briefClient.decide(briefClient.authorize(authorizeQuery()), "approve", USER, "guess-" + i)
          .statusCode());
    }
    HttpResponse<String> locked = briefClient.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET));
    assertThrottled(locked);
    assertThrottled(briefClient.decide(briefClient.authorize(authorizeQuery()), "approve", USER, PASSWORD));

    Thread.sleep(Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow()) * 1000 + 200);
    HttpResponse<String> token = briefClient.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET));
    assertEquals(200, token.statusCode(), token.body());
    HttpResponse<String> approved = briefClient.decide(briefClient.authorize(authorizeQuery()), "approve", USER,
        PASSWORD);
    assertEquals(302, approved.statusCode(), approved.body());
    assertTrue(OAuthClient.redirectParameters(approved).containsKey("code"));
  }
}
