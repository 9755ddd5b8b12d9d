package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_SECRET;
import static io.portcullis.oauth.OAuthFixture.REFRESHER;
import static io.portcullis.oauth.OAuthFixture.REFRESHER2;
import static io.portcullis.oauth.OAuthFixture.REFRESHER2_SECRET;
import static io.portcullis.oauth.OAuthFixture.REFRESHER_SECRET;
import static io.portcullis.oauth.OAuthFixture.basic;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.TokenServiceTest.assertOAuthError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.store.AccessToken;
import io.portcullis.store.RefreshRotation;
import io.portcullis.store.RefreshToken;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The refresh_token grant: issue, rotation, replay detection, scope, expiry (RFC 6749 §6, RFC 9700 §4.14.2). */
class TokenServiceRefreshTest {

  static final String INVALID_REFRESH = "the refresh token is invalid, expired, revoked or already used";

  final OAuthFixture f = OAuthFixture.standard();

  // ---- issue ----

  @Test
  void clientOfTheRefreshGrantGetsARefreshTokenWithItsCode() {
    TokenResponse response = f.refresherTokens();
    assertNotNull(response.refreshToken());
    assertTrue(response.refreshToken().matches("[0-9a-f]{64}"), response.refreshToken());
    assertNotEquals(response.accessToken(), response.refreshToken());

    RefreshToken stored = f.store.findRefreshToken(response.refreshToken()).orElseThrow();
    AccessToken access = f.store.findAccessToken(response.accessToken()).orElseThrow();
    assertEquals(REFRESHER, stored.clientId());
    assertEquals("alice", stored.username());
    assertEquals("email profile orders", stored.scope());
    assertEquals(access.grantId(), stored.grantId(), "the refresh token continues the code's grant");
    assertEquals(f.clock.instant(), stored.issuedAt());
    assertEquals(f.clock.instant().plusSeconds(7200), stored.expiresAt(), "refresher's refreshTokenTtlSeconds");
  }

  @Test
  void clientWithoutTheRefreshGrantGetsNoRefreshToken() {
    TokenResponse response = f.exchange(f.code());
    assertNull(response.refreshToken(), "confidential may use authorization_code only");
  }

  @Test
  void refreshTokenTtlDefaultsToTheGlobalOne() {
    TokenResponse response = f.tokensOf(REFRESHER2, REFRESHER2_SECRET, null);
    assertEquals(f.clock.instant().plusSeconds(86_400),
        f.store.findRefreshToken(response.refreshToken()).orElseThrow().expiresAt());
  }

  // ---- rotation ----

  @Test
  void refreshBuysANewAccessTokenAndANewRefreshToken() {
    TokenResponse first = f.refresherTokens();
    f.clock.advanceSeconds(100);
    TokenResponse second = f.refresh(first.refreshToken(), null);

    assertNotEquals(first.accessToken(), second.accessToken());
    assertNotNull(second.refreshToken());
    assertNotEquals(first.refreshToken(), second.refreshToken(), "the refresh token rotates");
    assertEquals("Bearer", second.tokenType());
    assertEquals(600, second.expiresIn());
    assertEquals("email profile orders", second.scope());

    AccessToken access = f.store.findAccessToken(second.accessToken()).orElseThrow();
    assertEquals("alice", access.username());
    assertEquals(REFRESHER, access.clientId());
    assertEquals(f.clock.instant(), access.issuedAt());
    RefreshToken successor = f.store.findRefreshToken(second.refreshToken()).orElseThrow();
    assertEquals(f.store.findAccessToken(first.accessToken()).orElseThrow().grantId(), successor.grantId(),
        "the whole chain is one grant");
    assertTrue(f.store.findAccessToken(first.accessToken()).isPresent(), "rotation leaves the old access token");
  }

  @Test
  void rotatedRefreshTokenIsAlreadyUsed() {
    TokenResponse first = f.refresherTokens();
    long grantId = f.store.findRefreshToken(first.refreshToken()).orElseThrow().grantId();
    f.refresh(first.refreshToken(), null);

    assertEquals(Optional.empty(), f.store.findRefreshToken(first.refreshToken()));
    assertEquals(new RefreshRotation.AlreadyUsed(grantId, REFRESHER, "alice"),
        f.store.rotateRefreshToken(first.refreshToken(), REFRESHER, f.clock.instant().plusSeconds(3600)));
  }

  @Test
  void replayingARotatedRefreshTokenRevokesTheWholeGrant() {
    TokenResponse first = f.refresherTokens();
    TokenResponse second = f.refresh(first.refreshToken(), null);
    TokenResponse third = f.refresh(second.refreshToken(), "email");

    assertOAuthError(() -> f.refresh(first.refreshToken(), null), "invalid_grant", 400, INVALID_REFRESH);

    for (String access : new String[] {first.accessToken(), second.accessToken(), third.accessToken()}) {
      assertEquals(Optional.empty(), f.store.findAccessToken(access));
    }
    assertEquals(Optional.empty(), f.store.findRefreshToken(third.refreshToken()), "the live refresh token too");
    assertOAuthError(() -> f.refresh(third.refreshToken(), null), "invalid_grant", 400, INVALID_REFRESH);
  }

  @Test
  void replayRevokesOnlyItsOwnGrant() {
    TokenResponse victim = f.refresherTokens();
    TokenResponse bystander = f.refresherTokens();
    TokenResponse otherClient = f.tokensOf(REFRESHER2, REFRESHER2_SECRET, null);
    f.refresh(victim.refreshToken(), null);

    assertOAuthError(() -> f.refresh(victim.refreshToken(), null), "invalid_grant", 400, INVALID_REFRESH);

    assertTrue(f.store.findAccessToken(bystander.accessToken()).isPresent());
    assertTrue(f.store.findRefreshToken(bystander.refreshToken()).isPresent());
    assertTrue(f.store.findAccessToken(otherClient.accessToken()).isPresent());
    assertTrue(f.store.findRefreshToken(otherClient.refreshToken()).isPresent());
    assertNotNull(f.refresh(bystander.refreshToken(), null).refreshToken());
  }

  @Test
  void revocationAfterReplayOutlivesEveryTokenOfTheGrant() {
    TokenResponse first = f.refresherTokens();
    TokenResponse second = f.refresh(first.refreshToken(), null);
    assertOAuthError(() -> f.refresh(first.refreshToken(), null), "invalid_grant", 400, INVALID_REFRESH);
    f.clock.advanceSeconds(7199);
    assertEquals(Optional.empty(), f.store.findRefreshToken(second.refreshToken()),
        "still refused one second before the refresh token itself would expire");
  }

  @Test
  void anotherClientPresentingTheRefreshTokenGetsInvalidGrantAndTheOwnerKeepsIt() {
    TokenResponse owner = f.refresherTokens();
    assertOAuthError(() -> f.refresh(REFRESHER2, REFRESHER2_SECRET, owner.refreshToken(), null),
        "invalid_grant", 400, INVALID_REFRESH);
    assertOAuthError(() -> f.refresh(REFRESHER2, REFRESHER2_SECRET, owner.refreshToken(), null),
        "invalid_grant", 400, INVALID_REFRESH);

    assertTrue(f.store.findAccessToken(owner.accessToken()).isPresent(), "nothing of the owner is revoked");
    assertTrue(f.store.findRefreshToken(owner.refreshToken()).isPresent());
    TokenResponse next = f.refresh(owner.refreshToken(), null);
    assertEquals("email profile orders", next.scope());
  }

  @Test
  void anotherClientPresentingARotatedRefreshTokenRevokesNothing() {
    TokenResponse owner = f.refresherTokens();
    TokenResponse next = f.refresh(owner.refreshToken(), null);
    assertOAuthError(() -> f.refresh(REFRESHER2, REFRESHER2_SECRET, owner.refreshToken(), null),
        "invalid_grant", 400, INVALID_REFRESH);
    assertTrue(f.store.findAccessToken(next.accessToken()).isPresent());
    assertTrue(f.store.findRefreshToken(next.refreshToken()).isPresent());
  }

  @Test
  void unknownRefreshTokenIsInvalidGrant() {
    assertOAuthError(() -> f.refresh("0".repeat(64), null), "invalid_grant", 400, INVALID_REFRESH);
  }

  @Test
  void accessTokenPresentedAsRefreshTokenIsInvalidGrant() {
    TokenResponse tokens = f.refresherTokens();
    assertOAuthError(() -> f.refresh(tokens.accessToken(), null), "invalid_grant", 400, INVALID_REFRESH);
    assertTrue(f.store.findAccessToken(tokens.accessToken()).isPresent());
  }

  @Test
  void missingRefreshTokenIsInvalidRequest() {
    assertOAuthError(() -> f.token.exchange(basic(REFRESHER, REFRESHER_SECRET), params("grant_type", "refresh_token")),
        "invalid_request", 400, "the parameter refresh_token is missing");
  }

  // ---- scope ----

  @Test
  void narrowedRefreshKeepsTheFullScopeOnTheNewRefreshToken() {
    TokenResponse first = f.refresherTokens();
    TokenResponse narrowed = f.refresh(first.refreshToken(), "profile");
    assertEquals("profile", narrowed.scope());
    assertEquals("profile", f.store.findAccessToken(narrowed.accessToken()).orElseThrow().scope());
    assertEquals("email profile orders", f.store.findRefreshToken(narrowed.refreshToken()).orElseThrow().scope());

    TokenResponse full = f.refresh(narrowed.refreshToken(), null);
    assertEquals("email profile orders", full.scope(), "a later refresh without scope gets the full scope back");
    assertEquals("email profile orders", f.store.findAccessToken(full.accessToken()).orElseThrow().scope());
  }

  @Test
  void narrowedScopeKeepsTheGrantedOrder() {
    TokenResponse first = f.refresherTokens();
    assertEquals("email orders", f.refresh(first.refreshToken(), "orders email").scope());
  }

  @Test
  void refreshCannotWidenTheScope() {
    TokenResponse first = f.tokensOf(REFRESHER, REFRESHER_SECRET, "email");
    assertEquals("email", first.scope());
    assertOAuthError(() -> f.refresh(first.refreshToken(), "email profile"), "invalid_scope", 400,
        "scope may only narrow what was granted (email); ask for more in a new authorization request");
  }

  @Test
  void wideningDoesNotSpendTheRefreshToken() {
    // A client that asks for too much and retries without scope must not trip replay detection.
    TokenResponse first = f.tokensOf(REFRESHER, REFRESHER_SECRET, "email");
    assertOAuthError(() -> f.refresh(first.refreshToken(), "orders"), "invalid_scope", 400,
        "scope may only narrow what was granted (email); ask for more in a new authorization request");

    TokenResponse retry = f.refresh(first.refreshToken(), null);
    assertEquals("email", retry.scope());
    assertTrue(f.store.findAccessToken(first.accessToken()).isPresent(), "the grant is not revoked");
  }

  @Test
  void malformedScopeIsInvalidScopeAndDoesNotSpendTheRefreshToken() {
    TokenResponse first = f.refresherTokens();
    assertOAuthError(() -> f.refresh(first.refreshToken(), "email  profile"), "invalid_scope", 400,
        "scope must be space-separated scope tokens (RFC 6749 section 3.3)");
    assertEquals("email profile orders", f.refresh(first.refreshToken(), null).scope());
  }

  // ---- expiry ----

  @Test
  void refreshTokenExpiresAfterRefreshTokenTtlSeconds() {
    TokenResponse early = f.refresherTokens();
    TokenResponse late = f.refresherTokens();
    f.clock.advanceSeconds(7199);
    assertNotNull(f.refresh(early.refreshToken(), null).refreshToken(), "one second before expiry");
    f.clock.advanceSeconds(1);
    assertEquals(Optional.empty(), f.store.findRefreshToken(late.refreshToken()));
    assertOAuthError(() -> f.refresh(late.refreshToken(), null), "invalid_grant", 400, INVALID_REFRESH);
  }

  @Test
  void eachRotationStartsAFreshRefreshTokenLifetime() {
    TokenResponse first = f.refresherTokens();
    f.clock.advanceSeconds(7000);
    TokenResponse second = f.refresh(first.refreshToken(), null);
    Instant rotatedAt = f.clock.instant();
    assertEquals(rotatedAt.plusSeconds(7200), f.store.findRefreshToken(second.refreshToken()).orElseThrow().expiresAt());
    f.clock.advanceSeconds(7199);
    assertTrue(f.store.findRefreshToken(second.refreshToken()).isPresent());
    f.clock.advanceSeconds(1);
    assertOAuthError(() -> f.refresh(second.refreshToken(), null), "invalid_grant", 400, INVALID_REFRESH);
  }

  @Test
  void accessTokenOfARefreshExpiresAfterTheAccessTokenTtl() {
    TokenResponse second = f.refresh(f.refresherTokens().refreshToken(), null);
    f.clock.advanceSeconds(599);
    assertTrue(f.store.findAccessToken(second.accessToken()).isPresent());
    f.clock.advanceSeconds(1);
    assertEquals(Optional.empty(), f.store.findAccessToken(second.accessToken()));
  }

  // ---- grant types ----

  @Test
  void clientWithoutTheRefreshGrantIsUnauthorizedClient() {
    TokenResponse refresher = f.refresherTokens();
    assertOAuthError(() -> f.refresh(CONFIDENTIAL, CONFIDENTIAL_SECRET, refresher.refreshToken(), null),
        "unauthorized_client", 400,
        "this client may not use the refresh_token grant (see grantTypes in its registration)");
    assertTrue(f.store.findRefreshToken(refresher.refreshToken()).isPresent());
  }

  @Test
  void refreshOnlyEndpointRefusesTheAuthorizationCodeGrant() {
    String code = f.code(params("response_type", "code", "client_id", REFRESHER));
    assertOAuthError(() -> f.token.exchange(basic(REFRESHER, REFRESHER_SECRET),
            params("grant_type", "authorization_code", "code", code), Set.of("refresh_token")),
        "unsupported_grant_type", 400, "this grant_type is not supported here; use refresh_token");
    assertNotNull(f.token.exchange(basic(REFRESHER, REFRESHER_SECRET),
        params("grant_type", "authorization_code", "code", code)).accessToken(), "the code was not spent");
  }

  @Test
  void refreshOnlyEndpointAnswersTheRefreshGrant() {
    TokenResponse first = f.refresherTokens();
    TokenResponse second = f.token.exchange(basic(REFRESHER, REFRESHER_SECRET),
        params("grant_type", "refresh_token", "refresh_token", first.refreshToken()), Set.of("refresh_token"));
    assertNotEquals(first.refreshToken(), second.refreshToken());
  }
}
