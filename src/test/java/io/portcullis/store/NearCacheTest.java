package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testing.MutableClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The near-cache in front of a store: what it keeps, for how long, and what a revocation drops. */
class NearCacheTest {

  private final MutableClock clock = new MutableClock();
  private final long now = MutableClock.START.getEpochSecond();
  private final Map<String, AccessToken> store = new HashMap<>();
  private final AtomicInteger lookups = new AtomicInteger();
  private final NearCache cache = new NearCache(token -> {
    lookups.incrementAndGet();
    return Optional.ofNullable(store.get(token));
  }, Duration.ofSeconds(5), clock);

  private AccessToken token(long grant, long expiresIn) {
    return new AccessToken(grant, "app", "alice", "email", now, now + expiresIn);
  }

  @Test
  void keepsAFoundTokenForNearCacheMillisAndNoLonger() {
    store.put("t1", token(1, 600));
    assertTrue(cache.findAccessToken("t1").isPresent());
    store.remove("t1"); // revoked without a message reaching this node
    clock.advanceSeconds(4);
    assertTrue(cache.findAccessToken("t1").isPresent(), "within the bound the near-cache answers");
    clock.advanceSeconds(1);
    assertEquals(Optional.empty(), cache.findAccessToken("t1"), "past nearCacheMillis the store is asked again");
  }

  @Test
  void neverKeepsATokenPastItsExpiryNorOneThatWasNotFound() {
    store.put("t1", token(1, 2));
    assertTrue(cache.findAccessToken("t1").isPresent());
    clock.advanceSeconds(2);
    assertEquals(Optional.empty(), cache.findAccessToken("t1"));

    assertEquals(Optional.empty(), cache.findAccessToken("unknown"));
    store.put("unknown", token(2, 600));
    assertTrue(cache.findAccessToken("unknown").isPresent(), "a miss was not remembered");
  }

  @Test
  void aRevocationDropsTheTokenOrTheGrantAtOnce() {
    store.put("t1", token(1, 600));
    store.put("t2", token(2, 600));
    store.put("t3", token(2, 600));
    for (String t : new String[] {"t1", "t2", "t3"}) {
      cache.findAccessToken(t);
    }
    store.clear();
    cache.revoked("t:" + SecretKey.of("t1").hex());
    cache.revoked("g:2");
    for (String t : new String[] {"t1", "t2", "t3"}) {
      assertEquals(Optional.empty(), cache.findAccessToken(t), t);
    }
  }

  @Test
  void aMessageItCannotReadEmptiesItRatherThanBeIgnored() {
    for (String message : new String[] {"t:not-hex", "g:x", "?", "t:" + "z".repeat(64)}) {
      store.put("t1", token(1, 600));
      cache.findAccessToken("t1");
      store.clear();
      cache.revoked(message);
      assertEquals(Optional.empty(), cache.findAccessToken("t1"), message);
    }
  }
}
