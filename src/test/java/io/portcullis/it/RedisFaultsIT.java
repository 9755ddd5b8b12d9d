package io.portcullis.it;

import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.OAuthClient.AUTHORIZE;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import io.portcullis.testing.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis dies mid-run (SIGKILL) and comes back: meanwhile every endpoint says 503 — a page at the
 * authorization endpoint, JSON {@code temporarily_unavailable} at the token, introspection and
 * revocation endpoints, 503 from the filter, never a pass — each answer within the configured
 * timeouts; and service resumes by itself when Redis is back.
 */
class RedisFaultsIT {

  static final int TIMEOUT_MILLIS = 300;
  /** The most any answer may take while Redis is gone: connect and command timeouts, a few times, and slack. */
  static final Duration WORST = Duration.ofMillis(6 * TIMEOUT_MILLIS + 1500);

  @Order(1) @RegisterExtension static final RedisServer redis = new RedisServer();
  @Order(2) @RegisterExtension static final PortcullisServer node = PortcullisServer.deploy(() -> {
    JsonObject store = new JsonObject();
    store.addProperty("type", "redis");
    store.addProperty("uri", redis.uri());
    store.addProperty("connectTimeoutMillis", TIMEOUT_MILLIS);
    store.addProperty("commandTimeoutMillis", TIMEOUT_MILLIS);
    return ConfigJson.grants().set("store", store);
  });
  static final OAuthClient client = new OAuthClient(node);
  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);

  /** The call, and how long it took. */
  record Timed(HttpResponse<String> response, Duration took) {}

  interface Call {
    HttpResponse<String> send() throws Exception;
  }

  static Timed timed(Call call) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = call.send();
    return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
  }

  static final String READY = "/portcullis/health/ready";

  static void assertUnavailableJson(Timed answer) {
    assertEquals(503, answer.response().statusCode(), answer.response().body());
    assertEquals("temporarily_unavailable", OAuthClient.json(answer.response()).get("error").getAsString());
    assertTrue(answer.took().compareTo(WORST) < 0, "took " + answer.took());
  }

  @Test
  void whileRedisIsGoneEverythingIs503AndItResumesByItself() throws Exception {
    Grants grants = new Grants(client);
    Grants.Tokens before = grants.authorize(APP, "email");
    grants.assertPasses(before.access());
    assertEquals(200, client.get(READY).statusCode());

    redis.kill();

    // Not ready: the probe names the check that fails, and says nothing else.
    Timed ready = timed(() -> client.get(READY));
    assertEquals(503, ready.response().statusCode(), ready.response().body());
    assertEquals("{\"status\":\"DOWN\",\"checks\":{\"config\":\"UP\",\"store\":\"DOWN\"}}",
        ready.response().body());
    assertTrue(ready.took().compareTo(WORST) < 0, "took " + ready.took());
    assertEquals(200, client.get("/portcullis/health/live").statusCode(), "alive all the same");

    Timed authorize = timed(() -> client.get(AUTHORIZE + "?" + OAuthClient.formEncode(params("response_type", "code",
        "client_id", REFRESHING, "redirect_uri", REFRESHING_REDIRECT,
        "code_challenge", OAuthClient.challenge(OAuthClient.newVerifier()), "code_challenge_method", "S256"))));
    assertEquals(503, authorize.response().statusCode(), "never an approval page it cannot store");
    assertTrue(authorize.response().body().contains("temporarily_unavailable"), authorize.response().body());
    assertTrue(authorize.took().compareTo(WORST) < 0, "took " + authorize.took());

    assertUnavailableJson(timed(() -> client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET))));
    assertUnavailableJson(timed(() -> grants.introspect(Grants.INTROSPECT, APP, before.access(), null)));
    assertUnavailableJson(timed(() -> grants.revoke(Grants.REVOKE, APP, before.access(), null)));
    Timed guarded = timed(() -> grants.route("/api/orders", before.access()));
    assertEquals(503, guarded.response().statusCode(), "the filter never lets a request pass");
    assertTrue(guarded.took().compareTo(WORST) < 0, "took " + guarded.took());

    redis.start(); // the same port, empty: it kept nothing

    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    HttpResponse<String> token;
    do {
      token = client.postForm(TOKEN, params("grant_type", "client_credentials"),
          "Authorization", basic(SERVICE, SERVICE_SECRET));
    } while (token.statusCode() == 503 && System.nanoTime() < deadline);
    assertEquals(200, token.statusCode(), token.body());
    assertEquals(200, client.get(READY).statusCode(), "ready again");
    String verifier = OAuthClient.newVerifier();
    assertTrue(client.approve(params("response_type", "code", "client_id", REFRESHING,
        "redirect_uri", REFRESHING_REDIRECT, "code_challenge", OAuthClient.challenge(verifier),
        "code_challenge_method", "S256"), USER, PASSWORD).containsKey("code"));
    // What Redis lost is gone: a refusal, never a pass.
    grants.assertRefused(before.access());
  }
}
