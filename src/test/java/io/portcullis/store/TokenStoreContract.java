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
    return token(grantId, clientId, "alice", ttl);
  }

  /** Issued now; {@code username} {@code null} for a client acting for itself. */
  AccessToken token(long grantId, String clientId, String username, long ttl) {
    return new AccessToken(grantId, clientId, username, "email", clock.instant().getEpochSecond(),
        in(ttl).getEpochSecond());
  }

  RefreshToken refresh(long grantId, String clientId, long ttl) {
    return refresh(grantId, clientId, "alice", ttl);
  }

  RefreshToken refresh(long grantId, String clientId, String username, long ttl) {
    return new RefreshToken(grantId, clientId, username, "email profile", clock.instant().getEpochSecond(),
        in(ttl).getEpochSecond(), in(30 * 86_400).getEpochSecond());
  }

  AuthorizationCode code(long grantId, long ttl) {
    return code(grantId, "app", "alice", ttl);
  }

  /** Approved now. */
  AuthorizationCode code(long grantId, String clientId, String username, long ttl) {
    return new AuthorizationCode(grantId, clientId, username, "https://app.example/cb", true, "email",
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
    assertEquals(saved.username(), again.username(), "the grant's user, for the audit trail");
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("never-issued", in(3600)));
  }

  /** As the token endpoint does: a replay revokes the grant — and the one redemption still wins. */
  @Test
  void aReplayRacingTheRedemptionDoesNotUndoItsWinner() throws Exception {
    for (int round = 0; round < 5; round++) {
      String code = "race-" + round;
      store.saveAuthorizationCode(code, code(40 + round, 600));
      List<CodeRedemption> redemptions = atOnce(50, () -> {
        CodeRedemption redemption = store.redeemAuthorizationCode(code, in(3600));
        if (redemption instanceof CodeRedemption.AlreadyUsed used) {
          store.revokeGrant(used.grantId(), in(3600));
        }
        return redemption;
      });
      assertEquals(1, redemptions.stream().filter(r -> r instanceof CodeRedemption.Redeemed).count(),
          "round " + round);
    }
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
    RefreshToken saved = refresh(9, "app", 7200);
    store.saveRefreshToken("r", saved);
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("r", "another-app", in(7200)));
    assertTrue(store.findRefreshToken("r").isPresent(), "another client's attempt leaves it");
    List<RefreshRotation> rotations = atOnce(50, () -> store.rotateRefreshToken("r", "app", in(7200)));
    assertEquals(1, rotations.stream().filter(r -> r instanceof RefreshRotation.Rotated).count());
    assertEquals(49, rotations.stream().filter(r -> r instanceof RefreshRotation.AlreadyUsed).count());
    RefreshRotation.AlreadyUsed spent = assertInstanceOf(RefreshRotation.AlreadyUsed.class,
        store.rotateRefreshToken("r", "app", in(7200)));
    assertEquals(9, spent.grantId());
    assertEquals(saved.username(), spent.username(), "the grant's user, for the audit trail");
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

  // ---- cut-offs (incident revocation) ----

  /** What {@link #issue} saved under names of its own. */
  record Issue(String name, String clientId, boolean withCode) {}

  /**
   * An access token and a refresh token of {@code clientId} for {@code username} issued now, and a
   * code the user approved now ({@code null}: the client acting for itself, no code).
   */
  Issue issue(String name, long grantId, String clientId, String username) {
    store.saveAccessToken(name + "-access", token(grantId, clientId, username, 3600));
    store.saveRefreshToken(name + "-refresh", refresh(grantId, clientId, username, 7200));
    if (username != null) {
      store.saveAuthorizationCode(name + "-code", code(grantId + 1000, clientId, username, 600));
    }
    return new Issue(name, clientId, username != null);
  }

  /** What {@link #issue} saved works: the token is found, the refresh token rotates, the code redeems. */
  void assertWorks(Issue issued) {
    String name = issued.name();
    assertTrue(store.findAccessToken(name + "-access").isPresent(), name + "'s access token");
    assertTrue(store.findRefreshToken(name + "-refresh").isPresent(), name + "'s refresh token");
    assertInstanceOf(RefreshRotation.Rotated.class, store.rotateRefreshToken(name + "-refresh", issued.clientId(),
        in(7200)), name + "'s refresh token rotates");
    if (issued.withCode()) {
      assertInstanceOf(CodeRedemption.Redeemed.class, store.redeemAuthorizationCode(name + "-code", in(7200)),
          name + "'s code");
    }
  }

  /** What {@link #issue} saved is refused everywhere, as unknown; the code's refusal leaves nothing to replay. */
  void assertRefused(Issue issued) {
    String name = issued.name();
    assertEquals(Optional.empty(), store.findAccessToken(name + "-access"), name + "'s access token");
    assertEquals(Optional.empty(), store.findRefreshToken(name + "-refresh"), name + "'s refresh token");
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken(name + "-refresh", issued.clientId(),
        in(7200)), name + "'s refresh token must not rotate into a fresh pair");
    if (issued.withCode()) {
      assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode(name + "-code", in(7200)),
          name + "'s code");
      assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode(name + "-code", in(7200)),
          name + "'s code, presented again: unknown, not a replay whose grant would be revoked");
    }
  }

  @Test
  void aClientCutOffRefusesWhatTheClientWasIssuedUpToItsSecond() {
    Issue before = issue("before", 1, "app", "alice");
    Issue clientItself = issue("client-itself", 2, "app", null);
    Issue otherClient = issue("other-client", 3, "other-app", "alice");
    clock.advance(Duration.ofMillis(500));
    Instant cutoff = clock.instant();
    clock.advance(Duration.ofMillis(400));
    // Issued after the cut-off's instant, in its second: the granularity is a second.
    Issue sameSecond = issue("same-second", 4, "app", "bob");

    Instant inForce = store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app", cutoff, in(7200));
    assertEquals(cutoff.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), inForce, "to the second");
    assertEquals(Optional.of(inForce), store.cutoff(TokenStore.Subject.CLIENT, "app"));
    assertEquals(Optional.empty(), store.cutoff(TokenStore.Subject.USER, "app"), "a client id is no username");
    assertRefused(before);
    assertRefused(clientItself);
    assertRefused(sameSecond);
    assertWorks(otherClient);

    clock.advance(Duration.ofMillis(100)); // the next second
    Issue after = issue("after", 5, "app", "alice");
    assertWorks(after);
  }

  @Test
  void aUserCutOffRefusesWhatTheUserApprovedForEveryClient() {
    Issue aliceApp = issue("alice-app", 1, "app", "alice");
    Issue aliceOther = issue("alice-other", 2, "other-app", "alice");
    Issue bob = issue("bob", 3, "app", "bob");
    Issue clientItself = issue("client-itself", 4, "app", null);
    Issue aliceCased = issue("alice-cased", 5, "app", "Alice");

    store.revokeIssuedBefore(TokenStore.Subject.USER, "alice", clock.instant(), in(7200));
    assertRefused(aliceApp);
    assertRefused(aliceOther);
    assertWorks(bob);
    assertWorks(clientItself);
    assertWorks(aliceCased); // usernames compare exactly, as stored

    clock.advanceSeconds(1);
    Issue aliceAgain = issue("alice-again", 6, "app", "alice");
    assertWorks(aliceAgain);
  }

  @Test
  void aCutOffOnlyMovesForward() {
    Instant start = clock.instant();
    assertEquals(start.plusSeconds(10), store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app",
        start.plusSeconds(10), in(7200)));
    assertEquals(start.plusSeconds(10), store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app",
        start.plusSeconds(5), in(7200)), "an earlier one changes nothing");
    assertEquals(Optional.of(start.plusSeconds(10)), store.cutoff(TokenStore.Subject.CLIENT, "app"));
    clock.advanceSeconds(7);
    Issue between = issue("between", 1, "app", "alice");
    assertRefused(between);
    assertEquals(start.plusSeconds(20), store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app",
        start.plusSeconds(20), in(7200)), "a later one replaces it");
  }

  /** {@code until} is when everything issued before the cut-off has expired: then it is forgotten. */
  @Test
  void aCutOffIsForgottenAfterUntil() {
    store.saveAccessToken("outlives-until", token(1, "app", 3600));
    store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app", clock.instant(), in(60));
    store.revokeIssuedBefore(TokenStore.Subject.USER, "bob", clock.instant(), in(600));
    assertEquals(Optional.empty(), store.findAccessToken("outlives-until"));
    clock.advanceSeconds(59);
    assertTrue(store.cutoff(TokenStore.Subject.CLIENT, "app").isPresent());
    clock.advanceSeconds(1);
    assertEquals(Optional.empty(), store.cutoff(TokenStore.Subject.CLIENT, "app"));
    assertTrue(store.findAccessToken("outlives-until").isPresent(), "a token living past until is the caller's "
        + "mistake: the cut-off no longer refuses it");
    Instant earlier = clock.instant().minusSeconds(30);
    assertEquals(earlier, store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app", earlier, in(60)),
        "a forgotten cut-off no longer holds a new one back");
    assertTrue(store.cutoff(TokenStore.Subject.USER, "bob").isPresent(), "the other one is still remembered");
  }

  @Test
  void parallelCutOffsKeepTheLatestAndEveryCheckRefuses() throws Exception {
    issue("before", 1, "app", "alice");
    Instant start = clock.instant();
    AtomicInteger next = new AtomicInteger();
    List<long[]> asked = atOnce(32, () -> {
      Instant cutoff = start.plusSeconds(next.getAndIncrement());
      return new long[] {cutoff.getEpochSecond(),
          store.revokeIssuedBefore(TokenStore.Subject.CLIENT, "app", cutoff, in(7200)).getEpochSecond()};
    });
    for (long[] answer : asked) {
      assertTrue(answer[1] >= answer[0], "the cut-off in force is never earlier than the one asked for");
    }
    assertEquals(Optional.of(start.plusSeconds(31)), store.cutoff(TokenStore.Subject.CLIENT, "app"),
        "the latest stays, whatever the order");

    assertEquals(List.of(), atOnce(32, () -> store.findAccessToken("before-access")).stream()
        .filter(Optional::isPresent).toList());
    assertEquals(32, atOnce(32, () -> store.rotateRefreshToken("before-refresh", "app", in(7200))).stream()
        .filter(r -> r instanceof RefreshRotation.Unknown).count(), "none rotates");
    assertEquals(0, atOnce(32, () -> store.redeemAuthorizationCode("before-code", in(7200))).stream()
        .filter(r -> r instanceof CodeRedemption.Redeemed).count(), "none redeems");
    assertInstanceOf(CodeRedemption.Unknown.class, store.redeemAuthorizationCode("before-code", in(7200)));

    clock.advanceSeconds(32);
    Issue after = issue("after", 2, "app", "alice");
    assertWorks(after);
  }
}
