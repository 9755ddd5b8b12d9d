package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_SECRET;
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
import static io.portcullis.oauth.TokenServiceTest.assertOAuthError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 7662 token introspection. */
class IntrospectionServiceTest {

  static final String ISSUER = "https://gateway.example";
  static final Map<String, Object> INACTIVE = Map.of("active", false);

  final OAuthFixture f = OAuthFixture.standard();
  final long now = f.clock.instant().getEpochSecond();

  // ---- active answers ----

  @Test
  void activeAccessTokenIsDescribedInRfc7662Order() {
    TokenResponse tokens = f.refresherTokens();
    Map<String, Object> answer = introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.accessToken());
    assertEquals(Map.of("active", true, "scope", "email profile orders", "client_id", REFRESHER,
        "username", "alice", "token_type", "Bearer", "exp", now + 600, "iat", now, "iss", ISSUER), answer);
    assertEquals(List.of("active", "scope", "client_id", "username", "token_type", "exp", "iat", "iss"),
        List.copyOf(answer.keySet()));
  }

  @Test
  void activeRefreshTokenIsDescribedWithItsOwnTypeAndExpiry() {
    TokenResponse tokens = f.refresherTokens();
    assertEquals(Map.of("active", true, "scope", "email profile orders", "client_id", REFRESHER,
            "username", "alice", "token_type", "refresh_token", "exp", now + 7200, "iat", now, "iss", ISSUER),
        introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.refreshToken()));
  }

  @Test
  void narrowedAccessTokenShowsItsOwnScope() {
    TokenResponse narrowed = f.refresh(f.refresherTokens().refreshToken(), "orders");
    f.clock.advanceSeconds(5);
    assertEquals("orders", introspect(REFRESHER, REFRESHER_SECRET, "token", narrowed.accessToken()).get("scope"));
    Map<String, Object> refresh = introspect(REFRESHER, REFRESHER_SECRET, "token", narrowed.refreshToken());
    assertEquals("email profile orders", refresh.get("scope"));
    assertEquals(now, refresh.get("iat"), "iat is the issue time, not the time of asking");
  }

  @Test
  void clientCredentialsTokenHasNoUsername() {
    TokenResponse token = f.machineToken("read");
    assertEquals(Map.of("active", true, "scope", "read", "client_id", MACHINE, "token_type", "Bearer",
            "exp", now + 300, "iat", now, "iss", ISSUER),
        introspect(MACHINE, MACHINE_SECRET, "token", token.accessToken()));
  }

  @Test
  void noIssuerMeansNoIss() {
    TokenResponse tokens = f.refresherTokens();
    Map<String, Object> answer = f.introspection.introspect(basic(REFRESHER, REFRESHER_SECRET),
        params("token", tokens.accessToken()), null);
    assertEquals(List.of("active", "scope", "client_id", "username", "token_type", "exp", "iat"),
        List.copyOf(answer.keySet()));
    assertEquals(true, answer.get("active"));
  }

  // ---- inactive answers ----

  @Test
  void unknownTokenIsExactlyInactive() {
    assertEquals(INACTIVE, introspect(REFRESHER, REFRESHER_SECRET, "token", "0".repeat(64)));
  }

  @Test
  void callerSeesOnlyItsOwnTokens() {
    TokenResponse tokens = f.refresherTokens();
    TokenResponse machine = f.machineToken(null);
    for (String token : List.of(tokens.accessToken(), tokens.refreshToken(), machine.accessToken())) {
      assertEquals(INACTIVE, introspect(REFRESHER2, REFRESHER2_SECRET, "token", token));
      assertEquals(INACTIVE, introspect(CONFIDENTIAL, CONFIDENTIAL_SECRET, "token", token));
    }
    assertEquals(true, introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.accessToken()).get("active"));
  }

  @Test
  void resourceServerSeesEveryClientsAccessTokensButNoRefreshToken() {
    TokenResponse tokens = f.refresherTokens();
    TokenResponse machine = f.machineToken(null);
    assertEquals(introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.accessToken()),
        introspect(GATEWAY, GATEWAY_SECRET, "token", tokens.accessToken()));
    // A resource server introspects bearer tokens; a refresh token never is one, so only its own
    // client is told it is active.
    assertEquals(true, introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.refreshToken()).get("active"));
    assertEquals(INACTIVE, introspect(GATEWAY, GATEWAY_SECRET, "token", tokens.refreshToken()));
    assertEquals(MACHINE, introspect(GATEWAY, GATEWAY_SECRET, "token", machine.accessToken()).get("client_id"));
    assertEquals(INACTIVE, introspect(GATEWAY, GATEWAY_SECRET, "token", "0".repeat(64)));
  }

  @Test
  void expiredTokensAreInactive() {
    TokenResponse tokens = f.refresherTokens();
    f.clock.advanceSeconds(599);
    assertEquals(true, introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.accessToken()).get("active"));
    f.clock.advanceSeconds(1);
    assertEquals(INACTIVE, introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.accessToken()));
    assertEquals(true, introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.refreshToken()).get("active"));
    f.clock.advanceSeconds(6600);
    assertEquals(INACTIVE, introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.refreshToken()));
  }

  @Test
  void revokedTokensAreInactive() {
    TokenResponse first = f.refresherTokens();
    TokenResponse other = f.refresherTokens();
    f.revocation.revoke(basic(REFRESHER, REFRESHER_SECRET), params("token", first.refreshToken()));
    assertEquals(INACTIVE, introspect(REFRESHER, REFRESHER_SECRET, "token", first.refreshToken()));
    assertEquals(INACTIVE, introspect(REFRESHER, REFRESHER_SECRET, "token", first.accessToken()));

    f.revocation.revoke(basic(REFRESHER, REFRESHER_SECRET), params("token", other.accessToken()));
    assertEquals(INACTIVE, introspect(REFRESHER, REFRESHER_SECRET, "token", other.accessToken()));
    assertEquals(true, introspect(REFRESHER, REFRESHER_SECRET, "token", other.refreshToken()).get("active"));
  }

  @Test
  void rotatedRefreshTokenIsInactive() {
    TokenResponse first = f.refresherTokens();
    f.refresh(first.refreshToken(), null);
    assertEquals(INACTIVE, introspect(REFRESHER, REFRESHER_SECRET, "token", first.refreshToken()));
    assertEquals(true, introspect(REFRESHER, REFRESHER_SECRET, "token", first.accessToken()).get("active"));
  }

  // ---- hints ----

  @Test
  void hintsInBothSpellingsFindTheirToken() {
    TokenResponse tokens = f.refresherTokens();
    for (String hint : List.of("access_token", "accessToken")) {
      assertEquals("Bearer", introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.accessToken(),
          "token_type_hint", hint).get("token_type"), hint);
    }
    for (String hint : List.of("refresh_token", "refreshToken")) {
      assertEquals("refresh_token", introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.refreshToken(),
          "token_type_hint", hint).get("token_type"), hint);
    }
  }

  @Test
  void wrongOrUnknownHintStillFindsTheToken() {
    TokenResponse tokens = f.refresherTokens();
    for (String hint : List.of("refresh_token", "refreshToken", "id_token", "")) {
      assertEquals("Bearer", introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.accessToken(),
          "token_type_hint", hint).get("token_type"), hint);
    }
    for (String hint : List.of("access_token", "accessToken", "id_token", "")) {
      assertEquals("refresh_token", introspect(REFRESHER, REFRESHER_SECRET, "token", tokens.refreshToken(),
          "token_type_hint", hint).get("token_type"), hint);
    }
  }

  @Test
  void hintDoesNotRevealAnotherClientsToken() {
    TokenResponse tokens = f.refresherTokens();
    for (String hint : List.of("access_token", "refresh_token")) {
      assertEquals(INACTIVE, introspect(REFRESHER2, REFRESHER2_SECRET, "token", tokens.accessToken(),
          "token_type_hint", hint));
      assertEquals(INACTIVE, introspect(REFRESHER2, REFRESHER2_SECRET, "token", tokens.refreshToken(),
          "token_type_hint", hint));
    }
  }

  // ---- request ----

  @Test
  void callerMustAuthenticate() {
    TokenResponse tokens = f.refresherTokens();
    assertOAuthError(() -> introspect(REFRESHER, "wrong", "token", tokens.accessToken()),
        "invalid_client", 401, ClientAuthenticator.FAILED);
  }

  @Test
  void missingOrRepeatedTokenIsInvalidRequest() {
    assertOAuthError(() -> introspect(REFRESHER, REFRESHER_SECRET), "invalid_request", 400,
        "the parameter token is missing");
    assertOAuthError(() -> introspect(REFRESHER, REFRESHER_SECRET, "token", "a", "token", "b"), "invalid_request", 400,
        "the parameter token was given more than once");
  }

  private Map<String, Object> introspect(String clientId, String secret, String... body) {
    return f.introspection.introspect(basic(clientId, secret), params(body), ISSUER);
  }
}
