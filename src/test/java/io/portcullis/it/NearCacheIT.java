package io.portcullis.it;

import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import io.portcullis.store.RedisTokenStore;
import io.portcullis.testing.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/**
 * {@code nearCacheMillis} on two nodes sharing a redis-server: a node keeps validated tokens, yet a
 * revocation on the other node is refused at once (Redis pub/sub), even with a near-cache of a
 * minute; and when the message is lost (here: the token removed from Redis behind Portcullis'
 * back), the stale entry lives at most {@code nearCacheMillis}.
 */
class NearCacheIT {

  static final long BOUND_MILLIS = 1500;

  @Order(1) @RegisterExtension static final RedisServer redis = new RedisServer();
  @Order(2) @RegisterExtension static final PortcullisServer a = PortcullisServer.deploy(() -> config(60_000));
  @Order(3) @RegisterExtension static final PortcullisServer b = PortcullisServer.deploy(() -> config(60_000));
  @Order(4) @RegisterExtension static final PortcullisServer shortCache =
      PortcullisServer.deploy(() -> config(BOUND_MILLIS));
  static final Grants onA = new Grants(new OAuthClient(a));
  static final Grants onB = new Grants(new OAuthClient(b));
  static final Grants onShort = new Grants(new OAuthClient(shortCache));
  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);

  static ConfigJson config(long nearCacheMillis) {
    JsonObject store = new JsonObject();
    store.addProperty("type", "redis");
    store.addProperty("uri", redis.uri());
    store.addProperty("nearCacheMillis", nearCacheMillis);
    return ConfigJson.grants().set("store", store).set("operations", com.google.gson.JsonParser.parseString(
        "{\"operators\": [{\"username\": \"ops\", \"password\": \"{noop}ops-password\", \"roles\": [\"admin\"]}]}"));
  }

  /**
   * Every node listens before a test begins. A node empties its near-cache when its subscription
   * starts (what came before may have been missed), so a token cached before that moment would
   * be gone again — safe, but not what these tests watch.
   */
  @BeforeAll
  static void everyNodeListens() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
      while (jedis.pubsubNumSub("portcullis:revocations").get("portcullis:revocations") < 3) {
        assertTrue(System.nanoTime() < deadline, "the three nodes did not subscribe within 10 s");
        Thread.sleep(20);
      }
    }
    Thread.sleep(100); // the subscription's confirmation reaches the node just after Redis counts it
  }

  /** Refused within half a second: the time a pub/sub message takes, not the near-cache's minute. */
  static void assertRefusedAtOnce(Grants node, String token) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
    HttpResponse<String> answer;
    do {
      answer = node.route("/api/orders", token);
    } while (answer.statusCode() == 200 && System.nanoTime() < deadline);
    assertEquals(401, answer.statusCode(), answer.body());
  }

  @Test
  void aRevocationOnOneNodeReachesTheOthersNearCacheAtOnce() throws Exception {
    Grants.Tokens tokens = onA.authorize(APP, "email");
    onB.assertPasses(tokens.access()); // now in B's near-cache
    onB.assertPasses(tokens.access());
    assertEquals(200, onA.revoke(Grants.REVOKE, APP, tokens.access(), null).statusCode());
    assertRefusedAtOnce(onB, tokens.access());

    // A grant revoked as a whole (the refresh token replayed) reaches it too.
    Grants.Tokens second = onA.authorize(APP, "email");
    Grants.Tokens rotated = Grants.issued(onA.refresh(APP, second.refresh(), null));
    onB.assertPasses(rotated.access());
    assertEquals(400, onA.refresh(APP, second.refresh(), null).statusCode()); // the replay
    assertRefusedAtOnce(onB, rotated.access());
  }

  @Test
  void aLostMessageLeavesATokenValidForAtMostNearCacheMillis() throws Exception {
    Grants.Tokens tokens = onA.authorize(APP, "email");
    onShort.assertPasses(tokens.access());
    // Removed behind Portcullis' back: no node hears of it.
    try (RedisClient jedis = RedisClient.create("127.0.0.1", redis.port())) {
      assertEquals(1, jedis.del(RedisTokenStore.key("portcullis:", "a", tokens.access())));
    }
    long staleSince = System.nanoTime();
    assertEquals(200, onShort.route("/api/orders", tokens.access()).statusCode(), "the near-cache still holds it");
    onA.assertRefused(tokens.access()); // no near-cache entry there: refused
    HttpResponse<String> answer;
    do {
      answer = onShort.route("/api/orders", tokens.access());
    } while (answer.statusCode() == 200 && System.nanoTime() - staleSince < Duration.ofSeconds(10).toNanos());
    long staleMillis = Duration.ofNanos(System.nanoTime() - staleSince).toMillis();
    assertEquals(401, answer.statusCode());
    assertTrue(staleMillis <= BOUND_MILLIS + 500, "stale for " + staleMillis + " ms, beyond the bound");
  }

  /** An incident revocation on A reaches B's near-cache at once: everything of the client, not one token. */
  @Test
  void anIncidentRevocationOnOneNodeIsRefusedOnTheOtherAtOnce() throws Exception {
    // A client of its own: the other tests' tokens, issued in the same second, stay untouched.
    Caller shortApp = Caller.confidential(ConfigJson.SHORT_REFRESH, ConfigJson.SHORT_REFRESH_SECRET,
        ConfigJson.SHORT_REFRESH_REDIRECT);
    Grants.Tokens first = onA.authorize(shortApp, "email");
    Grants.Tokens second = onA.authorize(shortApp, "email");
    onB.assertPasses(first.access()); // both now in B's near-cache (60 s)
    onB.assertPasses(second.access());
    HttpResponse<String> revoked = new OAuthClient(a).postForm("/portcullis/admin/revoke",
        OAuthClient.params("client_id", ConfigJson.SHORT_REFRESH), "Authorization",
        OperationsIT.basic("ops", "ops-password"));
    assertEquals(200, revoked.statusCode(), revoked.body());
    assertRefusedAtOnce(onB, first.access());
    assertRefusedAtOnce(onB, second.access());
    assertEquals(400, onB.refresh(shortApp, first.refresh(), null).statusCode());
  }
}
