package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.config.RedisSettings;
import io.portcullis.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** The store contract, on a real redis-server the test starts; every test with a key prefix of its own. */
class RedisTokenStoreTest extends TokenStoreContract {

  @RegisterExtension static final RedisServer redis = new RedisServer();
  private static final AtomicInteger TEST = new AtomicInteger();
  private String prefix;

  @Override
  protected TokenStore newStore() {
    prefix = "test" + TEST.incrementAndGet() + ":";
    return node();
  }

  /** Another node on the same Redis, with the same key prefix. */
  private RedisTokenStore node() {
    RedisSettings settings = new RedisSettings(URI.create(redis.uri()), List.of(), null, List.of(), null,
        prefix, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ZERO);
    return new RedisTokenStore(settings, clock, name -> null);
  }

  private RedisClient direct() {
    return RedisClient.builder().hostAndPort("127.0.0.1", redis.port()).build();
  }

  /** Nothing needs a purge job: every key Portcullis writes expires in Redis with its entry. */
  @Test
  void everyKeyHasARedisTtlFromItsEntrysExpiry() {
    store.savePendingAuthorization("tx", pending(600));
    store.countApprovalAttempt("tx");
    store.saveAuthorizationCode("code-1", code(1, 600));
    store.redeemAuthorizationCode("code-1", in(3600));
    store.saveAccessToken("at-1", token(1, "app", 600));
    store.saveRefreshToken("rt-1", refresh(2, "app", 7200));
    store.rotateRefreshToken("rt-1", "app", in(7200));
    store.revokeGrant(3, in(7200));
    store.recordAttempt("user:alice", Duration.ofSeconds(60));
    store.reserveLiveToken("other-app", 10);
    store.revokeIssuedBefore(TokenStore.Subject.USER, "bob", clock.instant(), in(7200));

    try (RedisClient redis = direct()) {
      Set<String> keys = redis.keys(prefix + "*");
      // approval, code+spent, token, live set x2, spent refresh, grant, failures, cut-offs
      assertEquals(9, keys.size(), keys.toString());
      long now = clock.millis();
      for (String key : keys) {
        long expiresAt = redis.pexpireTime(key);
        assertTrue(expiresAt > now && expiresAt <= now + 7_200_000, key + " expires at " + expiresAt);
      }
    }
  }

  /**
   * One hash holds every cut-off; it lives as long as the latest of them must be remembered, and
   * holds only those not yet forgotten.
   */
  @Test
  void theCutOffsHashLivesUntilItsLatestCutOffIsForgotten() {
    store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app", clock.instant(), in(600));
    store.revokeIssuedBefore(TokenStore.Subject.USER, "alice", clock.instant(), in(7200));
    store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "other-app", clock.instant(), in(60));
    try (RedisClient redis = direct()) {
      String key = prefix + "{n}";
      assertEquals(in(7200).toEpochMilli(), redis.pexpireTime(key), "the latest until, never shortened");
      assertEquals(Set.of("c:app", "u:alice", "c:other-app"), redis.hkeys(key));
      clock.advanceSeconds(600);
      store.revokeIssuedBefore(TokenStore.Subject.USER, "bob", clock.instant(), in(60));
      assertEquals(Set.of("u:alice", "u:bob"), redis.hkeys(key), "the forgotten ones dropped");
      assertEquals(clock.instant().minusSeconds(600).getEpochSecond() + " " + in(6600).getEpochSecond(),
          redis.hget(key, "u:alice"), "the cut-off and its own until, epoch seconds");
      assertEquals(in(6600).toEpochMilli(), redis.pexpireTime(key));
    }
  }

  /**
   * A cut-off set on one node reaches another node's near-cache at once (pub/sub), not after its
   * minute: the tokens of that client, then of that user, are refused there (that nothing else is
   * dropped, NearCacheTest shows).
   */
  @Test
  void aCutOffOnOneNodeReachesAnotherNodesNearCache() throws Exception {
    try (RedisTokenStore otherNode = node()) {
      NearCache nearCache = new NearCache(otherNode, Duration.ofMinutes(1), clock);
      AtomicInteger subscribed = new AtomicInteger();
      otherNode.onRevocation(nearCache::revoked, () -> {
        nearCache.clear();
        subscribed.incrementAndGet();
      });
      RevocationListenerTest.awaitTrue(() -> subscribed.get() == 1, "the other node listens");
      store.saveAccessToken("app-alice", token(1, "app", "alice", 3600));
      store.saveAccessToken("other-alice", token(2, "other-app", "alice", 3600));
      store.saveAccessToken("other-bob", token(3, "other-app", "bob", 3600));
      for (String token : List.of("app-alice", "other-alice", "other-bob")) {
        assertTrue(nearCache.findAccessToken(token).isPresent(), token + " now in the other node's near-cache");
      }

      store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app", clock.instant(), in(7200));
      RevocationListenerTest.awaitTrue(() -> nearCache.findAccessToken("app-alice").isEmpty(),
          "the other node refuses the client's token");
      assertTrue(nearCache.findAccessToken("other-alice").isPresent(), "another client's token");

      store.revokeIssuedBefore(TokenStore.Subject.USER, "alice", clock.instant(), in(7200));
      RevocationListenerTest.awaitTrue(() -> nearCache.findAccessToken("other-alice").isEmpty(),
          "the other node refuses the user's token");
      assertTrue(nearCache.findAccessToken("other-bob").isPresent(), "another user's token");
    }
  }

  @Test
  void anEntryThatCannotBeReadMakesTheStoreUnavailableNeverAPass() {
    try (RedisClient redis = direct()) {
      redis.set(RedisTokenStore.key(prefix, "a", "at-x"), "not what Portcullis writes");
      redis.set(RedisTokenStore.key(prefix, "c", "code-x"), "{\"g\": \"x\"}");
    }
    StoreUnavailableException unreadable = assertThrows(StoreUnavailableException.class,
        () -> store.findAccessToken("at-x"));
    assertEquals("Redis holds an access token entry that cannot be read (IllegalArgumentException)",
        unreadable.getMessage());
    assertThrows(StoreUnavailableException.class, () -> store.redeemAuthorizationCode("code-x", in(60)));
    store.saveAccessToken("at-y", token(1, "app", 600));
    try (RedisClient redis = direct()) {
      redis.hset(prefix + "{n}", "c:app", "not a cut-off");
    }
    assertThrows(StoreUnavailableException.class, () -> store.findAccessToken("at-y"));
  }

  /** A code a node wrote before codes carried their issued-at still redeems, as issued at an unknown time. */
  @Test
  void aCodeWrittenWithoutItsIssuedAtIsStillRead() {
    long expires = in(600).getEpochSecond();
    try (RedisClient redis = direct()) {
      redis.set(RedisTokenStore.key(prefix, "c", "older-code"), "{\"g\":\"5\",\"c\":\"app\",\"u\":\"alice\","
          + "\"r\":\"https://app.example/cb\",\"rs\":true,\"s\":\"email\",\"cc\":null,\"cm\":null,\"e\":" + expires + "}");
    }
    AuthorizationCode read = assertInstanceOf(CodeRedemption.Redeemed.class,
        store.redeemAuthorizationCode("older-code", in(3600))).code();
    assertEquals(new AuthorizationCode(5, "app", "alice", "https://app.example/cb", true, "email", null, null,
        AuthorizationCode.ISSUED_AT_UNKNOWN, java.time.Instant.ofEpochSecond(expires)), read);
  }

  /** Access tokens are written compactly; whatever their fields hold, they read back as saved. */
  @Test
  void accessTokensOfEveryShapeReadBackAsSaved() {
    long now = clock.instant().getEpochSecond();
    List<AccessToken> shapes = List.of(
        new AccessToken(Long.MIN_VALUE, "app", "alice", "email profile", now, now + 600),
        new AccessToken(Long.MAX_VALUE, "app", null, "", now, now + 1),
        new AccessToken(-7, "app", "", "email", now, now + 600),
        new AccessToken(8, "app\u001f", "bob\u001fcarol", "a\u001fb", now, now + 600),
        new AccessToken(9, "ünïcødé-app", "名前", "[email]", now, now + 86_400),
        new AccessToken(10, "app", "[alice", "email", now, now + 600));
    for (int i = 0; i < shapes.size(); i++) {
      store.saveAccessToken("shape-" + i, shapes.get(i));
      assertEquals(java.util.Optional.of(shapes.get(i)), store.findAccessToken("shape-" + i), "shape " + i);
    }
  }

  /** A million tokens must fit in Redis: a token's key is the prefix and 26 characters. */
  @Test
  void keysAreShort() {
    store.saveAccessToken("at-1", token(1, "app", 600));
    try (RedisClient redis = direct()) {
      String key = RedisTokenStore.key(prefix, "a", "at-1");
      assertEquals(prefix.length() + 26, key.length(), key);
      assertTrue(redis.exists(key));
      String value = redis.get(key);
      assertTrue(value.length() < 48, value.length() + " characters: " + value);
    }
  }

  /**
   * A client's live tokens are counted in minute buckets of their expiry: however many tokens, a
   * few fields; an expired token stops counting when its minute has ended.
   */
  @Test
  void liveTokensAreCountedInBucketsThatEndWithTheirMinute() {
    long now = clock.instant().getEpochSecond();
    long bucketEnd = (now / 60) * 60 + 60;
    for (int i = 0; i < 500; i++) {
      store.saveAccessToken("bucketed-" + i, new AccessToken(i, "app", "alice", "email", now, bucketEnd - 1));
    }
    store.saveAccessToken("later", new AccessToken(999, "app", "alice", "email", now, bucketEnd + 3600));
    assertEquals(501, store.liveAccessTokens("app"));
    try (RedisClient redis = direct()) {
      assertEquals(2, redis.hlen(prefix + "{l:app}"), "one field per minute, not per token");
    }
    store.revokeAccessToken("bucketed-0");
    assertEquals(500, store.liveAccessTokens("app"), "a revoked token stops counting at once");
    clock.advanceSeconds(bucketEnd - 1 - now); // the 499 expire now…
    assertEquals(500, store.liveAccessTokens("app"), "…and count until their minute ends");
    clock.advanceSeconds(1);
    assertEquals(1, store.liveAccessTokens("app"));
    try (RedisClient redis = direct()) {
      assertEquals(1, redis.hlen(prefix + "{l:app}"), "the ended bucket dropped");
    }
  }
}
