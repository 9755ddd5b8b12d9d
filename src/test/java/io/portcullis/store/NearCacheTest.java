package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testing.MutableClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

  /** A cut-off drops its client's or its user's tokens; the others are still answered here. */
  @Test
  void aCutOffDropsTheTokensOfItsClientOrItsUserAndNoOthers() {
    Map<String, AccessToken> tokens = Map.of(
        "app-alice", new AccessToken(1, "app", "alice", "email", now, now + 600),
        "app-itself", new AccessToken(2, "app", null, "email", now, now + 600),
        "other-alice", new AccessToken(3, "other-app", "alice", "email", now, now + 600),
        "other-bob", new AccessToken(4, "other-app", "bob", "email", now, now + 600),
        "other-itself", new AccessToken(5, "other-app", null, "email", now, now + 600));
    store.putAll(tokens);
    tokens.keySet().forEach(cache::findAccessToken);
    store.clear(); // from here on, whatever is not in the near-cache is refused

    cache.revoked("c:app");
    assertEquals(Optional.empty(), cache.findAccessToken("app-alice"));
    assertEquals(Optional.empty(), cache.findAccessToken("app-itself"));
    assertTrue(cache.findAccessToken("other-alice").isPresent());
    cache.revoked("u:alice");
    assertEquals(Optional.empty(), cache.findAccessToken("other-alice"));
    assertTrue(cache.findAccessToken("other-bob").isPresent());
    assertTrue(cache.findAccessToken("other-itself").isPresent());
  }

  @Test
  void aMessageItCannotReadEmptiesItRatherThanBeIgnored() {
    for (String message : new String[] {"t:not-hex", "g:x", "?", "", "t:" + "z".repeat(64)}) {
      store.put("t1", token(1, 600));
      cache.findAccessToken("t1");
      store.clear();
      cache.revoked(message);
      assertEquals(Optional.empty(), cache.findAccessToken("t1"), message);
    }
  }

  /** A lookup that read the store before a revocation and finishes after its message must not keep the token. */
  @Test
  void aRevocationHeardDuringASlowLookupIsNotUndoneByIt() throws Exception {
    AccessToken token = token(1, 600);
    AtomicBoolean revokedInStore = new AtomicBoolean();
    CountDownLatch readDone = new CountDownLatch(1);
    CountDownLatch messageHandled = new CountDownLatch(1);
    NearCache slowStore = new NearCache(t -> {
      Optional<AccessToken> read = revokedInStore.get() ? Optional.empty() : Optional.of(token);
      readDone.countDown();
      try {
        messageHandled.await(5, TimeUnit.SECONDS); // a slow Redis, a GC pause
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return read;
    }, Duration.ofSeconds(5), clock);

    CompletableFuture<Optional<AccessToken>> slow = CompletableFuture.supplyAsync(() -> slowStore.findAccessToken("t1"));
    assertTrue(readDone.await(5, TimeUnit.SECONDS));
    revokedInStore.set(true);
    slowStore.revoked("t:" + SecretKey.of("t1").hex());
    messageHandled.countDown();
    slow.get(5, TimeUnit.SECONDS); // the request in flight began before the revocation: it may pass

    assertEquals(Optional.empty(), slowStore.findAccessToken("t1"), "every request after the message is refused");
  }

  /** The bound counts from when the store was asked, not from when the answer was kept. */
  @Test
  void aLostRevocationPassesAtMostNearCacheMillisAfterTheStoreWasAsked() {
    AccessToken token = token(1, 600);
    AtomicBoolean revoked = new AtomicBoolean();
    NearCache slowStore = new NearCache(t -> {
      Optional<AccessToken> read = revoked.get() ? Optional.empty() : Optional.of(token);
      revoked.set(true); // revoked right after this read; its message is lost
      clock.advanceSeconds(1); // the lookup took a second
      return read;
    }, Duration.ofSeconds(5), clock);
    assertTrue(slowStore.findAccessToken("t1").isPresent());
    clock.advance(Duration.ofMillis(4000)); // 5 s after the store was asked
    assertEquals(Optional.empty(), slowStore.findAccessToken("t1"));
  }
}
