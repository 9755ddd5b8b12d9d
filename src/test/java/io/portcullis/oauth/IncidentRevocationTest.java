package io.portcullis.oauth;

import static io.portcullis.oauth.BearerTokenValidatorTest.INVALID_TOKEN;
import static io.portcullis.oauth.OAuthFixture.GATEWAY;
import static io.portcullis.oauth.OAuthFixture.GATEWAY_SECRET;
import static io.portcullis.oauth.OAuthFixture.REFRESHER;
import static io.portcullis.oauth.OAuthFixture.REFRESHER2;
import static io.portcullis.oauth.OAuthFixture.REFRESHER2_SECRET;
import static io.portcullis.oauth.OAuthFixture.REFRESHER_SECRET;
import static io.portcullis.oauth.OAuthFixture.basic;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.OAuthFixture.query;
import static io.portcullis.oauth.TokenServiceRefreshTest.INVALID_REFRESH;
import static io.portcullis.oauth.TokenServiceTest.INVALID_CODE;
import static io.portcullis.oauth.TokenServiceTest.assertOAuthError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.store.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Incident revocation through the real services on a real memory store: after it, the bearer
 * filter, introspection and the token endpoint refuse what the client (or the user) held, and what
 * is issued from the next second on works.
 */
class IncidentRevocationTest {

  final OAuthFixture f = OAuthFixture.standard();

  /** What a client holds for alice: an access token, a refresh token, and a code not yet exchanged. */
  record Held(String accessToken, String refreshToken, String code) {}

  Held held(String clientId, String secret) {
    TokenResponse tokens = f.tokensOf(clientId, secret, null);
    return new Held(tokens.accessToken(), tokens.refreshToken(),
        f.code(params("response_type", "code", "client_id", clientId)));
  }

  TokenResponse exchange(String clientId, String secret, String code) {
    return f.token.exchange(basic(clientId, secret), params("grant_type", "authorization_code", "code", code));
  }

  Map<String, Object> introspect(String token) {
    return f.introspection.introspect(basic(GATEWAY, GATEWAY_SECRET), params("token", token), null);
  }

  void assertRefused(Held held, String clientId, String secret) {
    assertOAuthError(() -> f.bearer.check("/api/orders", List.of("Bearer " + held.accessToken())), "invalid_token",
        401, INVALID_TOKEN);
    assertEquals(Map.of("active", false), introspect(held.accessToken()));
    assertEquals(Map.of("active", false), f.introspection.introspect(basic(clientId, secret),
        params("token", held.refreshToken()), null), "the refresh token, asked by its own client");
    assertOAuthError(() -> f.refresh(clientId, secret, held.refreshToken(), null), "invalid_grant", 400,
        INVALID_REFRESH);
    assertOAuthError(() -> exchange(clientId, secret, held.code()), "invalid_grant", 400, INVALID_CODE);
  }

  void assertWorks(Held held, String clientId, String secret) {
    assertTrue(f.bearer.check("/api/orders", List.of("Bearer " + held.accessToken())).isPresent());
    assertEquals(true, introspect(held.accessToken()).get("active"));
    assertTrue(f.refresh(clientId, secret, held.refreshToken(), null).accessToken() != null);
    assertTrue(exchange(clientId, secret, held.code()).accessToken() != null);
  }

  @Test
  void aRevokedClientsTokensRefreshTokensAndCodesAreRefusedAndNewOnesWork() {
    Held compromised = held(REFRESHER, REFRESHER_SECRET);
    Held bystander = held(REFRESHER2, REFRESHER2_SECRET);
    f.clock.advance(Duration.ofMillis(250));

    IncidentRevocation.Revoked revoked = f.incident.revokeClient(REFRESHER);

    Instant second = f.clock.instant().minusMillis(250);
    // Remembered to the second, rounded up: a quarter second into it, the next one.
    assertEquals(new IncidentRevocation.Revoked(TokenStore.Subject.CLIENT, REFRESHER, second,
        second.plusSeconds(1).plus(IncidentRevocation.longestLifetime(f.config))), revoked);
    assertRefused(compromised, REFRESHER, REFRESHER_SECRET);
    assertWorks(bystander, REFRESHER2, REFRESHER2_SECRET);

    f.clock.advance(Duration.ofMillis(750)); // the next second
    assertWorks(held(REFRESHER, REFRESHER_SECRET), REFRESHER, REFRESHER_SECRET);
  }

  @Test
  void aRevokedUsersApprovalsAreRefusedForEveryClientAndOthersWork() {
    Held alicesAtOne = held(REFRESHER, REFRESHER_SECRET);
    Held alicesAtTwo = held(REFRESHER2, REFRESHER2_SECRET);
    TokenResponse bobs = f.token.exchange(basic(REFRESHER, REFRESHER_SECRET), params("grant_type",
        "authorization_code", "code", codeApprovedBy("bob", "builder")));
    TokenResponse machine = f.machineToken("read");

    assertEquals(TokenStore.Subject.USER, f.incident.revokeUser("alice").subject());

    assertRefused(alicesAtOne, REFRESHER, REFRESHER_SECRET);
    assertRefused(alicesAtTwo, REFRESHER2, REFRESHER2_SECRET);
    assertTrue(f.bearer.check("/api/orders", List.of("Bearer " + bobs.accessToken())).isPresent(), "bob's");
    assertEquals(true, introspect(machine.accessToken()).get("active"), "a client's own token has no user");
    f.clock.advanceSeconds(1);
    assertWorks(held(REFRESHER, REFRESHER_SECRET), REFRESHER, REFRESHER_SECRET);
  }

  private String codeApprovedBy(String username, String password) {
    AuthorizeOutcome outcome = f.decide(f.approvalPage(params("response_type", "code", "client_id", REFRESHER)),
        "approve", username, password);
    return query(assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location()).get("code");
  }

  /** A code refused by a cut-off answers as an unknown one, however often it comes back: no replay. */
  @Test
  void aRefusedCodePresentedAgainRevokesNothing() {
    Held held = held(REFRESHER, REFRESHER_SECRET);
    try (AuditLines audit = new AuditLines()) {
      f.incident.revokeClient(REFRESHER, "ops", "192.0.2.7");
      for (int presented = 0; presented < 2; presented++) {
        assertOAuthError(() -> exchange(REFRESHER, REFRESHER_SECRET, held.code()), "invalid_grant", 400,
            INVALID_CODE);
      }
      List<String> lines = audit.lines();
      assertEquals(List.of(), lines.stream().filter(l -> l.contains("event=code_replay")).toList());
      assertEquals(List.of("time=" + f.clock.instant() + " event=incident_revocation outcome=revoked client_id="
          + REFRESHER + " address=192.0.2.7 operator=ops cutoff=" + f.clock.instant()),
          lines.stream().filter(l -> l.contains("event=incident_revocation")).toList());
    }
  }

  @Test
  void anIdThatCannotBeOneIsRefusedWithoutBeingRepeated() {
    String long257 = "x".repeat(IncidentRevocation.MAX_ID_LENGTH + 1);
    for (String id : new String[] {null, "", "   ", long257, "app\n", "app\u0000", "app\u0085"}) {
      OAuthException refused = org.junit.jupiter.api.Assertions.assertThrows(OAuthException.class,
          () -> f.incident.revokeClient(id));
      assertEquals("invalid_request", refused.error());
      assertEquals(400, refused.status());
      assertTrue(refused.description().startsWith("client_id "), refused.description());
      assertFalse(id != null && !id.isBlank() && refused.description().contains(id.strip()),
          "the description repeats the input: " + refused.description());
      OAuthException user = org.junit.jupiter.api.Assertions.assertThrows(OAuthException.class,
          () -> f.incident.revokeUser(id));
      assertTrue(user.description().startsWith("username "), user.description());
    }
    assertEquals(Optional.empty(), f.store.cutoff(TokenStore.Subject.CLIENT, long257), "nothing was set");
    String longest = "x".repeat(IncidentRevocation.MAX_ID_LENGTH);
    assertEquals(longest, f.incident.revokeUser(longest).id(), "256 characters are allowed");
  }

  /** Remembered as long as anything issued before may live: codes too, which may outlive every token. */
  @Test
  void aCutOffIsRememberedAsLongAsTheLongestTokenOrCode() throws Exception {
    PortcullisConfig shortTokens = ConfigLoader.load("test", JsonParser.parseString("""
        {"accessTokenTtlSeconds": 60, "refreshTokenTtlSeconds": 60, "authorizationCodeTtlSeconds": 900,
         "users": [{"username": "alice", "password": "{noop}wonderland"}],
         "clients": [{"clientId": "app", "clientSecret": "{noop}s3cret", "redirectUris": ["https://app.example/cb"]}]}
        """));
    assertEquals(Duration.ofSeconds(900), IncidentRevocation.longestLifetime(shortTokens), "the code's");
    assertEquals(Duration.ofSeconds(86_400), IncidentRevocation.longestLifetime(f.config),
        "refresher2's refresh tokens, the global default");
  }
}
