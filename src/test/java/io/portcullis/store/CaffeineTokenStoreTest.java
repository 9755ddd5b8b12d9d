package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.config.StoreSettings;
import io.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CaffeineTokenStoreTest {

  static final Instant T0 = MutableClock.START;

  final MutableClock clock = new MutableClock();
  CaffeineTokenStore store = new CaffeineTokenStore(StoreSettings.defaults(), clock);

  @AfterEach
  void close() {
    store.close();
  }

  // ---- access tokens ----

  @Test
  void placesFreedByExpiryGoToEveryoneAskingAtOnce() throws Exception {
    // Many live tokens of another client make the clean-up that frees expired places take a
    // while; clients asking meanwhile wait for it rather than being refused.
    for (int i = 0; i < 300_000; i++) {
      store.saveAccessToken("other" + i, new AccessToken(i, "other-app", null, "email", T0.getEpochSecond(),
          T0.getEpochSecond() + 3600));
    }
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 8; i++) {
        LiveTokenPlace place = store.reserveLiveToken("app", 8);
        org.junit.jupiter.api.Assertions.assertNotNull(place, "round " + round + ": place " + i);
        long now = clock.instant().getEpochSecond();
        store.saveReservedAccessToken("t" + round + "-" + i, new AccessToken(i, "app", "alice", "email", now, now + 60),
            place);
      }
      clock.advanceSeconds(60); // all eight expire, still counted until a clean-up sees it
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<LiveTokenPlace>> asked = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        asked.add(pool.submit(() -> {
          start.await();
          return store.reserveLiveToken("app", 8);
        }));
      }
      start.countDown();
      int granted = 0;
      for (Future<LiveTokenPlace> answer : asked) {
        LiveTokenPlace place = answer.get(30, TimeUnit.SECONDS);
        if (place != null) {
          granted++;
          store.releaseLiveToken(place);
        }
      }
      pool.shutdown();
      assertEquals(8, granted, "round " + round);
    }
  }

  @Test
  void accessTokenExpiresExactlyAtItsExpiresAt() {
    store.saveAccessToken("tok", token(1, 60));
    clock.advanceSeconds(59);
    assertTrue(store.findAccessToken("tok").isPresent(), "one second before expiry");
    clock.advance(Duration.ofMillis(999));
    assertTrue(store.findAccessToken("tok").isPresent(), "one millisecond before expiry");
    clock.advance(Duration.ofMillis(1));
    assertEquals(Optional.empty(), store.findAccessToken("tok"), "at expiresAt");
  }

  @Test
  void expiredTokensLeaveTheCacheOnCleanUp() {
    store.saveAccessToken("a", token(1, 60));
    store.saveAccessToken("b", token(2, 120));
    store.cleanUp();
    assertEquals(2, store.accessTokenCount());
    clock.advanceSeconds(60);
    store.cleanUp();
    assertEquals(1, store.accessTokenCount());
    clock.advanceSeconds(60);
    store.cleanUp();
    assertEquals(0, store.accessTokenCount());
  }

  @Test
  void eachEntryKeepsItsOwnTtl() {
    store.saveAccessToken("short", token(1, 10));
    store.saveAccessToken("long", token(2, 100));
    store.saveAccessToken("longest", token(3, 3600));

    clock.advanceSeconds(10);
    assertEquals(Optional.empty(), store.findAccessToken("short"));
    assertTrue(store.findAccessToken("long").isPresent());
    clock.advanceSeconds(89);
    assertTrue(store.findAccessToken("long").isPresent());
    clock.advanceSeconds(1);
    assertEquals(Optional.empty(), store.findAccessToken("long"));
    assertTrue(store.findAccessToken("longest").isPresent());
    clock.advanceSeconds(3500);
    assertEquals(Optional.empty(), store.findAccessToken("longest"));
  }

  @Test
  void tokenSavedAlreadyExpiredIsNeverFound() {
    store.saveAccessToken("past", new AccessToken(1, "app", "alice", "email",
        T0.minusSeconds(100).getEpochSecond(), T0.getEpochSecond()));
    assertEquals(Optional.empty(), store.findAccessToken("past"));
  }

  @Test
  void tokenIssuedMidSecondExpiresAtItsWholeSecond() {
    clock.set(T0.plusMillis(500));
    store.saveAccessToken("tok", new AccessToken(1, "app", "alice", "email", T0.getEpochSecond(),
        T0.plusSeconds(10).getEpochSecond()));
    clock.set(T0.plusSeconds(10).minusNanos(1));
    assertTrue(store.findAccessToken("tok").isPresent());
    clock.set(T0.plusSeconds(10));
    assertEquals(Optional.empty(), store.findAccessToken("tok"));
  }

  @Test
  void foundTokenIsTheSavedOne() {
    AccessToken saved = token(7, 60);
    store.saveAccessToken("tok", saved);
    assertEquals(Optional.of(saved), store.findAccessToken("tok"));
    assertEquals(Optional.empty(), store.findAccessToken("tok2"));
    assertEquals(Optional.empty(), store.findAccessToken("TOK"));
  }

  @Test
  void revokeGrantHidesTokensOfThatGrantOnly() {
    store.saveAccessToken("a1", token(1, 3600));
    store.saveAccessToken("a2", token(1, 3600));
    store.saveAccessToken("b", token(2, 3600));

    store.revokeGrant(1, T0.plusSeconds(3600));

    assertEquals(Optional.empty(), store.findAccessToken("a1"));
    assertEquals(Optional.empty(), store.findAccessToken("a2"));
    assertTrue(store.findAccessToken("b").isPresent());
  }

  @Test
  void revocationHoldsUntilItsEnd() {
    store.saveAccessToken("a", token(1, 3600));
    store.revokeGrant(1, T0.plusSeconds(3600));
    clock.advanceSeconds(3599);
    assertEquals(Optional.empty(), store.findAccessToken("a"));
  }

  @Test
  void revocationAlsoCoversTokensIssuedLaterFromTheSameGrant() {
    store.revokeGrant(5, T0.plusSeconds(3600));
    store.saveAccessToken("late", token(5, 60));
    assertEquals(Optional.empty(), store.findAccessToken("late"));
  }

  // ---- pending authorizations ----

  @Test
  void pendingAuthorizationExpiresAtItsExpiresAt() {
    store.savePendingAuthorization("tx", pending(600));
    clock.advanceSeconds(599);
    assertTrue(store.findPendingAuthorization("tx").isPresent());
    clock.advanceSeconds(1);
    assertEquals(Optional.empty(), store.findPendingAuthorization("tx"));
    assertEquals(Optional.empty(), store.takePendingAuthorization("tx"));
  }

  @Test
  void findPendingAuthorizationLeavesItInPlace() {
    PendingAuthorization saved = pending(600);
    store.savePendingAuthorization("tx", saved);
    assertSame(saved, store.findPendingAuthorization("tx").orElseThrow());
    assertSame(saved, store.findPendingAuthorization("tx").orElseThrow());
  }

  @Test
  void takePendingAuthorizationIsSingleUse() {
    PendingAuthorization saved = pending(600);
    store.savePendingAuthorization("tx", saved);
    assertSame(saved, store.takePendingAuthorization("tx").orElseThrow());
    assertEquals(Optional.empty(), store.takePendingAuthorization("tx"));
    assertEquals(Optional.empty(), store.findPendingAuthorization("tx"));
  }

  @Test
  void concurrentTakePendingAuthorizationYieldsItOnce() throws Exception {
    for (int round = 0; round < 20; round++) {
      String tx = "tx-" + round;
      store.savePendingAuthorization(tx, pending(600));
      List<Optional<PendingAuthorization>> results = race(16, () -> store.takePendingAuthorization(tx));
      assertEquals(1, results.stream().filter(Optional::isPresent).count(), "round " + round);
    }
  }

  // ---- authorization codes ----

  @Test
  void redeemAuthorizationCodeIsSingleUse() {
    AuthorizationCode saved = code(42, 600);
    store.saveAuthorizationCode("c", saved);
    Instant rememberUntil = T0.plusSeconds(3600);

    CodeRedemption first = store.redeemAuthorizationCode("c", rememberUntil);
    assertEquals(new CodeRedemption.Redeemed(saved), first);

    CodeRedemption second = store.redeemAuthorizationCode("c", rememberUntil);
    assertEquals(new CodeRedemption.AlreadyUsed(42, "app", "alice"), second);
  }

  @Test
  void usedCodeIsRememberedUntilRememberUsedUntilThenUnknown() {
    store.saveAuthorizationCode("c", code(42, 600));
    store.redeemAuthorizationCode("c", T0.plusSeconds(3600));

    clock.advanceSeconds(3599);
    assertInstanceOf(CodeRedemption.AlreadyUsed.class, store.redeemAuthorizationCode("c", T0.plusSeconds(7200)),
        "still remembered, long after the code itself would have expired");
    clock.advanceSeconds(1);
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("c", T0.plusSeconds(7200)));
  }

  @Test
  void codeExpiresAtItsExpiresAt() {
    store.saveAuthorizationCode("c", code(1, 600));
    store.saveAuthorizationCode("d", code(2, 600));
    clock.advanceSeconds(599);
    assertInstanceOf(CodeRedemption.Redeemed.class, store.redeemAuthorizationCode("d", T0.plusSeconds(3600)));
    clock.advanceSeconds(1);
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("c", T0.plusSeconds(3600)));
  }

  @Test
  void unknownCodeIsUnknown() {
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("never", T0.plusSeconds(3600)));
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("never", T0.plusSeconds(3600)),
        "asking about an unknown code does not make it known");
  }

  @Test
  void concurrentRedemptionYieldsExactlyOneRedeemed() throws Exception {
    int threads = 32;
    for (int round = 0; round < 20; round++) {
      String code = "code-" + round;
      store.saveAuthorizationCode(code, code(round, 600));
      List<CodeRedemption> results = race(threads, () -> store.redeemAuthorizationCode(code, T0.plusSeconds(3600)));
      assertEquals(1, results.stream().filter(r -> r instanceof CodeRedemption.Redeemed).count(), "round " + round);
      assertEquals(threads - 1, results.stream().filter(r -> r instanceof CodeRedemption.AlreadyUsed).count(),
          "round " + round);
    }
  }

  // ---- bounds ----

  @Test
  void eachCacheIsBoundedByItsMaximumSize() {
    store = new CaffeineTokenStore(new StoreSettings(StoreSettings.MEMORY, 50, 60, 100), clock);
    for (int i = 0; i < 1000; i++) {
      store.saveAccessToken("tok-" + i, token(i, 3600));
      store.savePendingAuthorization("tx-" + i, pending(600));
      store.saveAuthorizationCode("code-" + i, code(i, 600));
    }
    store.cleanUp();
    assertTrue(store.accessTokenCount() <= 100, "access tokens: " + store.accessTokenCount());
    long pendingLeft = countPresent(1000, i -> store.findPendingAuthorization("tx-" + i).isPresent());
    assertTrue(pendingLeft <= 50, "pending authorizations: " + pendingLeft);
    long codesLeft = countPresent(1000,
        i -> store.redeemAuthorizationCode("code-" + i, T0.plusSeconds(1)) instanceof CodeRedemption.Redeemed);
    assertTrue(codesLeft <= 60, "authorization codes: " + codesLeft);
  }

  @Test
  void aFloodOfPendingRequestsDoesNotEvictTokens() {
    store = new CaffeineTokenStore(new StoreSettings(StoreSettings.MEMORY, 10, 10, 10), clock);
    for (int i = 0; i < 5; i++) {
      store.saveAccessToken("tok-" + i, token(i, 3600));
    }
    for (int i = 0; i < 1000; i++) {
      store.savePendingAuthorization("tx-" + i, pending(600));
      store.saveAuthorizationCode("code-" + i, code(i, 600));
    }
    store.cleanUp();
    for (int i = 0; i < 5; i++) {
      assertTrue(store.findAccessToken("tok-" + i).isPresent(), "tok-" + i);
    }
  }

  @Test
  void spentCodesDoNotPushOutFreshOnes() {
    store = new CaffeineTokenStore(new StoreSettings(StoreSettings.MEMORY, 10, 10, 1000), clock);
    for (int i = 0; i < 200; i++) {
      store.saveAuthorizationCode("spent-" + i, code(i, 600));
      assertInstanceOf(CodeRedemption.Redeemed.class, store.redeemAuthorizationCode("spent-" + i, T0.plusSeconds(3600)));
    }
    for (int i = 0; i < 5; i++) {
      store.saveAuthorizationCode("fresh-" + i, code(1000 + i, 600));
    }
    store.cleanUp();
    for (int i = 0; i < 5; i++) {
      assertInstanceOf(CodeRedemption.Redeemed.class, store.redeemAuthorizationCode("fresh-" + i, T0.plusSeconds(3600)),
          "fresh-" + i);
    }
    // ... and the spent ones are still remembered as spent.
    CodeRedemption replay = store.redeemAuthorizationCode("spent-0", T0.plusSeconds(3600));
    assertEquals(0, assertInstanceOf(CodeRedemption.AlreadyUsed.class, replay).grantId());
  }

  @Test
  void approvalAttemptsAreCountedOnThePendingRequest() {
    store.savePendingAuthorization("tx", pending(60));
    assertEquals(1, store.countApprovalAttempt("tx"));
    assertEquals(2, store.countApprovalAttempt("tx"));
    assertEquals(2, store.findPendingAuthorization("tx").orElseThrow().approvalAttempts());
    assertEquals(0, store.countApprovalAttempt("unknown"));
    clock.advanceSeconds(60);
    assertEquals(0, store.countApprovalAttempt("tx"), "an expired request counts nothing");
  }

  @Test
  void concurrentApprovalAttemptsEachGetANumberOfTheirOwn() throws Exception {
    store.savePendingAuthorization("tx", pending(60));
    int threads = 32;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<Integer>> counts = new java.util.ArrayList<>();
    for (int i = 0; i < threads * 4; i++) {
      counts.add(pool.submit(() -> {
        go.await();
        return store.countApprovalAttempt("tx");
      }));
    }
    go.countDown();
    java.util.Set<Integer> seen = new java.util.TreeSet<>();
    for (java.util.concurrent.Future<Integer> count : counts) {
      seen.add(count.get());
    }
    pool.shutdown();
    assertEquals(threads * 4, seen.size(), "every attempt got a number of its own: " + seen);
    assertEquals(threads * 4, store.findPendingAuthorization("tx").orElseThrow().approvalAttempts());
  }

  @Test
  void closeForgetsEverything() {
    store.saveAccessToken("tok", token(1, 60));
    store.savePendingAuthorization("tx", pending(60));
    store.saveAuthorizationCode("c", code(1, 60));
    store.close();
    assertEquals(Optional.empty(), store.findAccessToken("tok"));
    assertEquals(Optional.empty(), store.findPendingAuthorization("tx"));
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("c", T0.plusSeconds(60)));
  }

  // ---- helpers ----

  static AccessToken token(long grantId, long ttlSeconds) {
    return new AccessToken(grantId, "app", "alice", "email", T0.getEpochSecond(), T0.plusSeconds(ttlSeconds).getEpochSecond());
  }

  static PendingAuthorization pending(long ttlSeconds) {
    return new PendingAuthorization("app", "https://app.example/cb", true, "email", "xyz", null, null,
        SecretKey.sha256("csrf"), T0.plusSeconds(ttlSeconds), 0);
  }

  static AuthorizationCode code(long grantId, long ttlSeconds) {
    return new AuthorizationCode(grantId, "app", "alice", "https://app.example/cb", true, "email",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", T0, T0.plusSeconds(ttlSeconds));
  }

  private static long countPresent(int n, java.util.function.IntPredicate present) {
    long count = 0;
    for (int i = 0; i < n; i++) {
      if (present.test(i)) {
        count++;
      }
    }
    return count;
  }

  /** Runs the action on {@code threads} threads released at the same instant; returns every result. */
  static <T> List<T> race(int threads, Callable<T> action) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          return action.call();
        }));
      }
      assertTrue(ready.await(10, TimeUnit.SECONDS), "all threads started");
      go.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(10, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aFloodOfCountersAimedByTheirPublicHashDoesNotPushOutALockOut() {
    // The counters' keys are SHA-256 of the subject, which anyone can compute: a flood of subjects
    // whose keys sort after alice's in the map's table must not reach her 100 confirmed failures.
    Duration window = Duration.ofMinutes(15);
    String alice = "user:alice";
    for (int i = 0; i < 100; i++) {
      store.settleAttempt(alice, store.recordAttempt(alice, window).windowEnds(), true);
    }
    clock.advanceSeconds(1);
    int aliceBin = tableBin(SecretKey.of(alice));
    int made = 0;
    for (long i = 0; made < CaffeineTokenStore.MAX_FAILURE_COUNTERS + 60_000; i++) {
      String subject = "user:u" + i + "@2001:db8:" + (i / 100) + "::";
      if (tableBin(SecretKey.of(subject)) <= aliceBin) {
        continue;
      }
      store.settleAttempt(subject, store.recordAttempt(subject, window).windowEnds(), true);
      if (++made % 500 == 0) {
        store.settleAttempt(alice, store.recordAttempt(alice, window).windowEnds(), false);
      }
    }
    assertEquals(100, store.failures(alice).confirmed(), "alice's lock-out was pushed out");
    assertTrue(store.entries().get("failure_counters") <= CaffeineTokenStore.MAX_FAILURE_COUNTERS);
    assertTrue(store.evictions().get("failure_counters") >= 60_000);
  }

  /** Where ConcurrentHashMap puts a key in a table of 2^19 bins (the size 200,000 entries take). */
  private static int tableBin(Object key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & 0x7fffffff & ((1 << 19) - 1);
  }
}
