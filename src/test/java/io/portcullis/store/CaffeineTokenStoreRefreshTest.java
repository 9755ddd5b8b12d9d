package io.portcullis.store;

import static io.portcullis.store.CaffeineTokenStoreTest.T0;
import static io.portcullis.store.CaffeineTokenStoreTest.race;
import static io.portcullis.store.CaffeineTokenStoreTest.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.config.StoreSettings;
import io.portcullis.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Refresh tokens and single access-token revocation in the Caffeine store. */
class CaffeineTokenStoreRefreshTest {

  static final Instant REMEMBER = T0.plusSeconds(86_400);

  final MutableClock clock = new MutableClock();
  final CaffeineTokenStore store = new CaffeineTokenStore(StoreSettings.defaults(), clock);

  @AfterEach
  void close() {
    store.close();
  }

  // ---- rotation ----

  @Test
  void rotationHandsOutTheTokenOnceThenAlreadyUsed() {
    RefreshToken saved = refresh(7, "app", 3600);
    store.saveRefreshToken("r", saved);

    assertEquals(new RefreshRotation.Rotated(saved), store.rotateRefreshToken("r", "app", REMEMBER));
    assertEquals(new RefreshRotation.AlreadyUsed(7, "app", "alice"), store.rotateRefreshToken("r", "app", REMEMBER));
    assertEquals(Optional.empty(), store.findRefreshToken("r"));
  }

  @Test
  void concurrentRotationYieldsExactlyOneRotated() throws Exception {
    int threads = 32;
    for (int round = 0; round < 20; round++) {
      String token = "r-" + round;
      store.saveRefreshToken(token, refresh(round, "app", 3600));
      List<RefreshRotation> results = race(threads, () -> store.rotateRefreshToken(token, "app", REMEMBER));
      assertEquals(1, results.stream().filter(r -> r instanceof RefreshRotation.Rotated).count(), "round " + round);
      assertEquals(threads - 1, results.stream().filter(r -> r instanceof RefreshRotation.AlreadyUsed).count(),
          "round " + round);
      for (RefreshRotation r : results) {
        if (r instanceof RefreshRotation.AlreadyUsed used) {
          assertEquals(new RefreshRotation.AlreadyUsed(round, "app", "alice"), used);
        }
      }
    }
  }

  @Test
  void otherClientGetsUnknownAndTheTokenIsKept() {
    RefreshToken saved = refresh(7, "app", 3600);
    store.saveRefreshToken("r", saved);

    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("r", "thief", REMEMBER));
    assertEquals(Optional.of(saved), store.findRefreshToken("r"));
    assertEquals(new RefreshRotation.Rotated(saved), store.rotateRefreshToken("r", "app", REMEMBER));
  }

  @Test
  void otherClientRacingTheOwnerNeverRotates() throws Exception {
    for (int round = 0; round < 20; round++) {
      String token = "r-" + round;
      store.saveRefreshToken(token, refresh(round, "app", 3600));
      List<RefreshRotation> results = race(16, () -> store.rotateRefreshToken(token, "thief", REMEMBER));
      assertTrue(results.stream().allMatch(r -> r instanceof RefreshRotation.Unknown), "round " + round);
      assertInstanceOf(RefreshRotation.Rotated.class, store.rotateRefreshToken(token, "app", REMEMBER));
    }
  }

  @Test
  void unknownTokenIsUnknown() {
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("never", "app", REMEMBER));
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("never", "app", REMEMBER));
  }

  @Test
  void spentTokenIsRememberedUntilRememberUsedUntil() {
    store.saveRefreshToken("r", refresh(7, "app", 60));
    store.rotateRefreshToken("r", "app", T0.plusSeconds(3600));
    clock.advanceSeconds(3599);
    assertInstanceOf(RefreshRotation.AlreadyUsed.class, store.rotateRefreshToken("r", "app", REMEMBER),
        "remembered long after the token itself would have expired");
    clock.advanceSeconds(1);
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("r", "app", REMEMBER));
  }

  @Test
  void expiredTokenIsUnknown() {
    store.saveRefreshToken("r", refresh(7, "app", 60));
    clock.advanceSeconds(60);
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("r", "app", REMEMBER));
  }

  @Test
  void tokenOfARevokedGrantDoesNotRotate() {
    store.saveRefreshToken("r", refresh(7, "app", 3600));
    store.revokeGrant(7, REMEMBER);
    assertInstanceOf(RefreshRotation.Unknown.class, store.rotateRefreshToken("r", "app", REMEMBER));
  }

  // ---- findRefreshToken ----

  @Test
  void findRefreshTokenReturnsTheSavedOneAndLeavesItInPlace() {
    RefreshToken saved = refresh(7, "app", 3600);
    store.saveRefreshToken("r", saved);
    assertEquals(Optional.of(saved), store.findRefreshToken("r"));
    assertEquals(Optional.of(saved), store.findRefreshToken("r"));
    assertEquals(Optional.empty(), store.findRefreshToken("R"));
  }

  @Test
  void findRefreshTokenRespectsExpiry() {
    store.saveRefreshToken("r", refresh(7, "app", 3600));
    clock.advanceSeconds(3599);
    clock.advance(Duration.ofMillis(999));
    assertTrue(store.findRefreshToken("r").isPresent(), "a millisecond before expiry");
    clock.advance(Duration.ofMillis(1));
    assertEquals(Optional.empty(), store.findRefreshToken("r"), "at expiresAt");
  }

  @Test
  void findRefreshTokenRespectsRevokeGrant() {
    store.saveRefreshToken("r1", refresh(7, "app", 3600));
    store.saveRefreshToken("r2", refresh(8, "app", 3600));
    store.revokeGrant(7, REMEMBER);
    assertEquals(Optional.empty(), store.findRefreshToken("r1"));
    assertTrue(store.findRefreshToken("r2").isPresent(), "another grant");
  }

  @Test
  void refreshAndAccessTokensLiveApart() {
    store.saveRefreshToken("r", refresh(7, "app", 3600));
    store.saveAccessToken("a", token(7, 3600));
    assertEquals(Optional.empty(), store.findAccessToken("r"));
    assertEquals(Optional.empty(), store.findRefreshToken("a"));
  }

  // ---- revokeAccessToken ----

  @Test
  void revokeAccessTokenRemovesOnlyThatToken() {
    store.saveAccessToken("a1", token(7, 3600));
    store.saveAccessToken("a2", token(7, 3600));
    store.saveAccessToken("b", token(8, 3600));
    store.saveRefreshToken("r", refresh(7, "app", 3600));

    store.revokeAccessToken("a1");

    assertEquals(Optional.empty(), store.findAccessToken("a1"));
    assertTrue(store.findAccessToken("a2").isPresent(), "same grant, other token");
    assertTrue(store.findAccessToken("b").isPresent());
    assertTrue(store.findRefreshToken("r").isPresent(), "the grant's refresh token");
    assertInstanceOf(RefreshRotation.Rotated.class, store.rotateRefreshToken("r", "app", REMEMBER));
  }

  @Test
  void revokeAccessTokenOfAnUnknownTokenChangesNothing() {
    store.saveAccessToken("a", token(7, 3600));
    store.revokeAccessToken("never");
    assertTrue(store.findAccessToken("a").isPresent());
  }

  // ---- helpers ----

  static RefreshToken refresh(long grantId, String clientId, long ttlSeconds) {
    return new RefreshToken(grantId, clientId, "alice", "email profile", T0.getEpochSecond(),
        T0.plusSeconds(ttlSeconds).getEpochSecond(), T0.plusSeconds(30 * 86_400).getEpochSecond());
  }
}
