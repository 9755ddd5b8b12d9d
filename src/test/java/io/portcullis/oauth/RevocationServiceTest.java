package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.GATEWAY;
import static io.portcullis.oauth.OAuthFixture.GATEWAY_SECRET;
import static io.portcullis.oauth.OAuthFixture.MACHINE;
import static io.portcullis.oauth.OAuthFixture.MACHINE_SECRET;
import static io.portcullis.oauth.OAuthFixture.REFRESHER;
import static io.portcullis.oauth.OAuthFixture.REFRESHER2;
import static io.portcullis.oauth.OAuthFixture.REFRESHER2_SECRET;
import static io.portcullis.oauth.OAuthFixture.REFRESHER_SECRET;
import static io.portcullis.oauth.OAuthFixture.basic;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.TokenServiceRefreshTest.INVALID_REFRESH;
import static io.portcullis.oauth.TokenServiceTest.assertOAuthError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RFC 7009 token revocation. */
class RevocationServiceTest {

  final OAuthFixture f = OAuthFixture.standard();

  @Test
  void unknownTokenIsAnsweredLikeARevokedOne() {
    TokenResponse tokens = f.refresherTokens();
    for (String hint : new String[] {null, "access_token", "refresh_token"}) {
      revoke(REFRESHER, REFRESHER_SECRET, "0".repeat(64), hint);
    }
    assertTrue(f.store.findAccessToken(tokens.accessToken()).isPresent(), "nothing else is touched");
    assertTrue(f.store.findRefreshToken(tokens.refreshToken()).isPresent());
  }

  @Test
  void revokingTwiceIsFine() {
    TokenResponse tokens = f.refresherTokens();
    revoke(REFRESHER, REFRESHER_SECRET, tokens.refreshToken(), null);
    revoke(REFRESHER, REFRESHER_SECRET, tokens.refreshToken(), null);
    revoke(REFRESHER, REFRESHER_SECRET, tokens.accessToken(), null);
    assertEquals(Optional.empty(), f.store.findRefreshToken(tokens.refreshToken()));
    assertEquals(Optional.empty(), f.store.findAccessToken(tokens.accessToken()));
  }

  // ---- refresh tokens ----

  @Test
  void revokingTheRefreshTokenRevokesEveryAccessTokenOfItsGrant() {
    TokenResponse first = f.refresherTokens();
    TokenResponse second = f.refresh(first.refreshToken(), "email");
    TokenResponse unrelated = f.refresherTokens();

    revoke(REFRESHER, REFRESHER_SECRET, second.refreshToken(), null);

    assertEquals(Optional.empty(), f.store.findRefreshToken(second.refreshToken()));
    assertEquals(Optional.empty(), f.store.findAccessToken(first.accessToken()), "issued before the rotation");
    assertEquals(Optional.empty(), f.store.findAccessToken(second.accessToken()));
    assertOAuthError(() -> f.refresh(second.refreshToken(), null), "invalid_grant", 400, INVALID_REFRESH);
    assertTrue(f.store.findAccessToken(unrelated.accessToken()).isPresent(), "other grants are untouched");
    assertTrue(f.store.findRefreshToken(unrelated.refreshToken()).isPresent());
  }

  @Test
  void refreshTokenRevocationHoldsAfterTimePasses() {
    TokenResponse tokens = f.refresherTokens();
    revoke(REFRESHER, REFRESHER_SECRET, tokens.refreshToken(), null);
    f.clock.advanceSeconds(7199);
    assertEquals(Optional.empty(), f.store.findRefreshToken(tokens.refreshToken()));
  }

  // ---- access tokens ----

  @Test
  void revokingAnAccessTokenLeavesTheRefreshTokenAndTheGrantsOtherAccessTokens() {
    TokenResponse first = f.refresherTokens();
    TokenResponse second = f.refresh(first.refreshToken(), null);

    revoke(REFRESHER, REFRESHER_SECRET, first.accessToken(), null);

    assertEquals(Optional.empty(), f.store.findAccessToken(first.accessToken()));
    assertTrue(f.store.findAccessToken(second.accessToken()).isPresent(), "same grant, another access token");
    assertTrue(f.store.findRefreshToken(second.refreshToken()).isPresent());
    assertNotNull(f.refresh(second.refreshToken(), null).accessToken(), "the refresh token still works");
  }

  @Test
  void clientCredentialsTokenCanBeRevoked() {
    TokenResponse token = f.machineToken(null);
    TokenResponse other = f.machineToken(null);
    revoke(MACHINE, MACHINE_SECRET, token.accessToken(), null);
    assertEquals(Optional.empty(), f.store.findAccessToken(token.accessToken()));
    assertTrue(f.store.findAccessToken(other.accessToken()).isPresent());
  }

  // ---- ownership ----

  @Test
  void anotherClientsTokenIsUnauthorizedClientAndNothingIsRevoked() {
    TokenResponse tokens = f.refresherTokens();
    for (String[] caller : new String[][] {{REFRESHER2, REFRESHER2_SECRET}, {GATEWAY, GATEWAY_SECRET}}) {
      for (String token : List.of(tokens.accessToken(), tokens.refreshToken())) {
        for (String hint : new String[] {null, "access_token", "refresh_token"}) {
          assertOAuthError(() -> revoke(caller[0], caller[1], token, hint), "unauthorized_client", 400,
              "the token was not issued to this client");
        }
      }
    }
    assertTrue(f.store.findAccessToken(tokens.accessToken()).isPresent());
    assertTrue(f.store.findRefreshToken(tokens.refreshToken()).isPresent());
  }

  @Test
  void failedClientAuthenticationRevokesNothing() {
    TokenResponse tokens = f.refresherTokens();
    assertOAuthError(() -> revoke(REFRESHER, "wrong", tokens.refreshToken(), null), "invalid_client", 401,
        ClientAuthenticator.FAILED);
    assertTrue(f.store.findRefreshToken(tokens.refreshToken()).isPresent());
  }

  @Test
  void missingOrRepeatedTokenIsInvalidRequest() {
    assertOAuthError(() -> f.revocation.revoke(basic(REFRESHER, REFRESHER_SECRET), params()), "invalid_request",
        400, "the parameter token is missing");
    TokenResponse tokens = f.refresherTokens();
    assertOAuthError(() -> f.revocation.revoke(basic(REFRESHER, REFRESHER_SECRET),
            params("token", tokens.accessToken(), "token", tokens.refreshToken())),
        "invalid_request", 400, "the parameter token was given more than once");
    assertTrue(f.store.findAccessToken(tokens.accessToken()).isPresent());
  }

  // ---- hints ----

  @Test
  void matchingHintsInBothSpellings() {
    for (String hint : List.of("refresh_token", "refreshToken")) {
      TokenResponse tokens = f.refresherTokens();
      revoke(REFRESHER, REFRESHER_SECRET, tokens.refreshToken(), hint);
      assertEquals(Optional.empty(), f.store.findAccessToken(tokens.accessToken()), hint);
    }
    for (String hint : List.of("access_token", "accessToken")) {
      TokenResponse tokens = f.refresherTokens();
      revoke(REFRESHER, REFRESHER_SECRET, tokens.accessToken(), hint);
      assertEquals(Optional.empty(), f.store.findAccessToken(tokens.accessToken()), hint);
      assertTrue(f.store.findRefreshToken(tokens.refreshToken()).isPresent(), hint);
    }
  }

  @Test
  void wrongHintStillRevokesTheToken() {
    for (String hint : List.of("access_token", "accessToken", "id_token")) {
      TokenResponse tokens = f.refresherTokens();
      revoke(REFRESHER, REFRESHER_SECRET, tokens.refreshToken(), hint);
      assertEquals(Optional.empty(), f.store.findRefreshToken(tokens.refreshToken()), hint);
      assertEquals(Optional.empty(), f.store.findAccessToken(tokens.accessToken()), hint + ": the grant goes too");
    }
    for (String hint : List.of("refresh_token", "refreshToken", "id_token")) {
      TokenResponse tokens = f.refresherTokens();
      revoke(REFRESHER, REFRESHER_SECRET, tokens.accessToken(), hint);
      assertEquals(Optional.empty(), f.store.findAccessToken(tokens.accessToken()), hint);
      assertTrue(f.store.findRefreshToken(tokens.refreshToken()).isPresent(), hint);
    }
  }

  private void revoke(String clientId, String secret, String token, String hint) {
    f.revocation.revoke(basic(clientId, secret),
        hint == null ? params("token", token) : params("token", token, "token_type_hint", hint));
  }
}
