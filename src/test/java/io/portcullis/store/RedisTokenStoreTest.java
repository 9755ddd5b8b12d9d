package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    try (RedisClient redis = direct()) {
      Set<String> keys = redis.keys(prefix + "*");
      assertEquals(8, keys.size(), keys.toString()); // approval, code+spent, token, live set x2, spent refresh, grant, failures
      long now = clock.millis();
      for (String key : keys) {
        long expiresAt = redis.pexpireTime(key);
        assertTrue(expiresAt > now && expiresAt <= now + 7_200_000, key + " expires at " + expiresAt);
      }
    }
  }

  @Test
  void anEntryThatCannotBeReadMakesTheStoreUnavailableNeverAPass() {
    try (RedisClient redis = direct()) {
      redis.set(prefix + "{a:" + SecretKey.of("at-x").hex() + "}", "not what Portcullis writes");
      redis.set(prefix + "{c:" + SecretKey.of("code-x").hex() + "}", "{\"g\": \"x\"}");
    }
    StoreUnavailableException unreadable = assertThrows(StoreUnavailableException.class,
        () -> store.findAccessToken("at-x"));
    assertEquals("Redis holds an access token entry that cannot be read (JsonSyntaxException)",
        unreadable.getMessage());
    assertThrows(StoreUnavailableException.class, () -> store.redeemAuthorizationCode("code-x", in(60)));
  }
}
