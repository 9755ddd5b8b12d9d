package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testing.Concurrently;
import io.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TokenStore} promises, whichever keeps the entries: single use under
 * concurrency, spent markers, revoked grants, expiry by the injected clock, failure counters and
 * live-token places. Run against the memory store and against a real Redis.
 */
abstract class TokenStoreContract {

  /** Near the real time, so that a store whose entries carry real TTLs (Redis) keeps them. */
  protected final MutableClock clock = new MutableClock(Instant.now().plusSeconds(1).truncatedTo(
      java.time.temporal.ChronoUnit.SECONDS));
  protected TokenStore store;
  private final ExecutorService pool = Executors.newFixedThreadPool(32);

  /** A new, empty store of the kind under test, reading {@link #clock}. */
  protected abstract TokenStore newStore();

  @BeforeEach
  void open() {
    store = newStore();
  }

  @AfterEach
  void closeAll() {
    pool.shutdownNow();
    store.close();
  }

  Instant in(long seconds) {
    return clock.instant().plusSeconds(seconds);
  }

  AccessToken token(long grantId, String clientId, long ttl) {
    return new AccessToken(grantId, clientId, "alice", "email", clock.instant().getEpochSecond(),
        in(ttl).getEpochSecond());
  }

  RefreshToken refresh(long grantId, String clientId, long ttl) {
    return new RefreshToken(grantId, clientId, "alice", "email profile", clock.instant().getEpochSecond(),
        in(ttl).getEpochSecond(), in(30 * 86_400).getEpochSecond());
  }

  AuthorizationCode code(long grantId, long ttl) {
    return new AuthorizationCode(grantId, "app", "alice", "https://app.example/cb", true, "email",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", clock.instant(), in(ttl));
  }

  PendingAuthorization pending(long ttl) {
    return new PendingAuthorization("app", "https://app.example/cb", true, "email", "xyz", null, null,
        SecretKey.sha256("csrf"), in(ttl), 0);
  }

  /** Runs every call at once and returns their answers. */
  <T> List<T> atOnce(int times, Callable<T> call) throws Exception {
    return Concurrently.atOnce(pool, times, call);
  }

  // ---- pending approvals ----

  @Test
  void aPendingApprovalIsFoundCountedAndTakenOnce() throws Exception {
    store.savePendingAuthorization("tx", pending(600));
    assertEquals("xyz", store.findPendingAuthorization("tx").orElseThrow().state());
    List<Integer> counts = atOnce(40, () -> store.countApprovalAttempt("tx"));
    assertEquals(40, counts.stream().distinct().count(), "every attempt a number of its own: " + counts);
    assertEquals(40, store.findPendingAuthorization("tx").orElseThrow().approvalAttempts());
    List<Optional<PendingAuthorization>> taken = atOnce(20, () -> store.takePendingAuthorization("tx"));
    assertEquals(1, taken.stream().filter(Optional::isPresent).count());
    assertEquals(0, store.countApprovalAttempt("tx"));
  }

  @Test
  void aPendingApprovalExpiresAtItsTime() {
    store.savePendingAuthorization("tx", pending(60));
    clock.advanceSeconds(60);
    assertEquals(Optional.empty(), store.findPendingAuthorization("tx"));
    assertEquals(Optional.empty(), store.takePendingAuthorization("tx"));
  }

  // ---- codes ----

  @Test
  void aCodeIsRedeemedExactlyOnceHoweverManyTry() throws Exception {
    AuthorizationCode saved = code(7, 600);
    store.saveAuthorizationCode("code", saved);
    List<CodeRedemption> redemptions = atOnce(64, () -> store.redeemAuthorizationCode("code", in(3600)));
    assertEquals(List.of(new CodeRedemption.Redeemed(saved)),
        redemptions.stream().filter(r -> r instanceof CodeRedemption.Redeemed).toList(), "as saved, every field");
    assertEquals(63, redemptions.stream().filter(r -> r instanceof CodeRedemption.AlreadyUsed).count());
    CodeRedemption.AlreadyUsed again = assertInstanceOf(CodeRedemption.AlreadyUsed.class,
        store.redeemAuthorizationCode("code", in(3600)));
    assertEquals(7, again.grantId());
    assertEquals("app", again.clientId());
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("never-issued", in(3600)));
  }

  @Test
  void anExpiredCodeIsUnknown() {
    store.saveAuthorizationCode("code", code(7, 60));
    clock.advanceSeconds(60);
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("code", in(3600)));
  }

  // ---- access tokens and grants ----

  @Test
  void anAccessTokenLivesUntilItsExpiryItsRevocationOrItsGrantsRevocation() {
    store.saveAccessToken("a", token(1, "app", 60));
    store.saveAccessToken("b", token(2, "app", 3600));
    store.saveAccessToken("c", token(3, "app", 3600));
    assertEquals(1, store.findAccessToken("a").orElseThrow().grantId());
    assertEquals(Long.MAX_VALUE, token(Long.MAX_VALUE, "app", 60).grantId(), "ids use all 64 bits");
    store.saveAccessToken("big", token(Long.MAX_VALUE - 1, "app", 60));
    assertEquals(Long.MAX_VALUE - 1, store.findAccessToken("big").orElseThrow().grantId());
    store.revokeAccessToken("b");
    store.revokeGrant(3, in(3600));
    assertEquals(Optional.empty(), store.findAccessToken("b"));
    assertEquals(Optional.empty(), store.findAccessToken("c"));
    clock.advanceSeconds(60);
    assertEquals(Optional.empty(), store.findAccessToken("a"));
  }

  // ---- refresh tokens ----

  @Test
  void aRefreshTokenRotatesExactlyOnceAndOnlyForItsClient() throws Exception {
    store.saveRefreshToken("r", refresh(9, "app", 7200));
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("r", "another-app", in(7200)));
    assertTrue(store.findRefreshToken("r").isPresent(), "another client's attempt leaves it");
    List<RefreshRotation> rotations = atOnce(50, () -> store.rotateRefreshToken("r", "app", in(7200)));
    assertEquals(1, rotations.stream().filter(r -> r instanceof RefreshRotation.Rotated).count());
    assertEquals(49, rotations.stream().filter(r -> r instanceof RefreshRotation.AlreadyUsed).count());
    RefreshRotation.AlreadyUsed spent = assertInstanceOf(RefreshRotation.AlreadyUsed.class,
        store.rotateRefreshToken("r", "app", in(7200)));
    assertEquals(9, spent.grantId());
  }

  /** As the token endpoint does: a replay revokes the grant — and the one rotation still wins. */
  @Test
  void aReplayRacingTheRotationDoesNotUndoItsWinner() throws Exception {
    for (int round = 0; round < 5; round++) {
      String token = "race-" + round;
      store.saveRefreshToken(token, refresh(20 + round, "app", 7200));
      List<RefreshRotation> rotations = atOnce(50, () -> {
        RefreshRotation rotation = store.rotateRefreshToken(token, "app", in(7200));
        if (rotation instanceof RefreshRotation.AlreadyUsed used) {
          store.revokeGrant(used.grantId(), in(7200));
        }
        return rotation;
      });
      assertEquals(1, rotations.stream().filter(r -> r instanceof RefreshRotation.Rotated).count(), "round " + round);
    }
  }

  @Test
  void aRefreshTokenOfARevokedGrantIsUnknown() {
    store.saveRefreshToken("r", refresh(9, "app", 7200));
    store.revokeGrant(9, in(7200));
    assertEquals(Optional.empty(), store.findRefreshToken("r"));
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("r", "app", in(7200)));
    store.saveRefreshToken("s", refresh(10, "app", 7200));
    store.revokeRefreshToken("s");
    assertEquals(Optional.empty(), store.findRefreshToken("s"));
  }

  // ---- failure counters ----

  @Test
  void attemptsAreCountedAtomicallyInAWindowThatCloses() throws Exception {
    List<FailureCount> counts = atOnce(40, () -> store.recordAttempt("user:alice", Duration.ofSeconds(60)));
    assertEquals(40, counts.stream().mapToInt(FailureCount::count).distinct().count());
    assertEquals(40, counts.stream().mapToInt(FailureCount::pending).distinct().count());
    Instant window = counts.get(0).windowEnds();
    assertEquals(1, counts.stream().map(FailureCount::windowEnds).distinct().count(), "one window");
    assertEquals(40, store.failures("user:alice").count());
    assertEquals(0, store.failures("user:alice").confirmed(), "none checked yet");
    store.settleAttempt("user:alice", window, true);
    store.settleAttempt("user:alice", window, false);
    FailureCount settled = store.failures("user:alice");
    assertEquals(List.of(39, 38, 1), List.of(settled.count(), settled.pending(), settled.confirmed()),
        "a failure stays counted, a right one is taken back");
    assertEquals(0, store.failures("user:bob").count());
    clock.advanceSeconds(60);
    assertEquals(0, store.failures("user:alice").count(), "the window closed");
    FailureCount fresh = store.recordAttempt("user:alice", Duration.ofSeconds(60));
    assertEquals(List.of(1, 1), List.of(fresh.count(), fresh.pending()), "a new one opens");
    store.settleAttempt("user:alice", window, false);
    assertEquals(1, store.failures("user:alice").count(), "settling in a closed window changes nothing");
    store.settleAttempt("user:alice", fresh.windowEnds(), false);
    assertEquals(0, store.failures("user:alice").count(), "the last one taken back");
  }

  /** Of attempts settled in parallel, every one counts: no settle is lost. */
  @Test
  void attemptsSettledAtOnceAreAllCounted() throws Exception {
    List<FailureCount> counts = atOnce(40, () -> store.recordAttempt("client:app", Duration.ofSeconds(60)));
    Instant window = counts.get(0).windowEnds();
    AtomicInteger next = new AtomicInteger();
    atOnce(40, () -> {
      store.settleAttempt("client:app", window, next.incrementAndGet() % 2 == 0);
      return null;
    });
    FailureCount settled = store.failures("client:app");
    assertEquals(List.of(20, 0, 20), List.of(settled.count(), settled.pending(), settled.confirmed()));
  }

  // ---- live-token places ----

  @Test
  void liveTokenPlacesAreTakenAtomicallyAndGivenBack() throws Exception {
    List<LiveTokenPlace> places = atOnce(40, () -> store.reserveLiveToken("app", 5));
    assertEquals(5, places.stream().filter(p -> p != null).count());
    LiveTokenPlace[] taken = places.stream().filter(p -> p != null).toArray(LiveTokenPlace[]::new);
    store.releaseLiveToken(taken[0]);
    LiveTokenPlace again = store.reserveLiveToken("app", 5);
    assertNotNull(again, "a released place is free again");
    store.saveReservedAccessToken("t1", token(1, "app", 60), again);
    assertEquals(5, store.liveAccessTokens("app"));
    assertNull(store.reserveLiveToken("app", 5));
    store.revokeAccessToken("t1");
    assertNotNull(store.reserveLiveToken("app", 5), "a revoked token frees its place");
    assertEquals(0, store.liveAccessTokens("another-app"));
  }
}
