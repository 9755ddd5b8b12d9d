package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_SECRET;
import static io.portcullis.oauth.OAuthFixture.MACHINE;
import static io.portcullis.oauth.OAuthFixture.MACHINE_SECRET;
import static io.portcullis.oauth.OAuthFixture.REFRESHER;
import static io.portcullis.oauth.OAuthFixture.REFRESHER_SECRET;
import static io.portcullis.oauth.OAuthFixture.basic;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.TokenServiceTest.assertOAuthError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.store.AccessToken;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The client_credentials grant (RFC 6749 §4.4) and grantTypes enforcement. */
class TokenServiceClientCredentialsTest {

  final OAuthFixture f = OAuthFixture.standard();

  @Test
  void scopeDefaultsToEveryScopeOfTheClient() {
    TokenResponse response = f.machineToken(null);
    assertEquals("read write admin", response.scope());
    assertEquals("Bearer", response.tokenType());
    assertEquals(300, response.expiresIn(), "machine's accessTokenTtlSeconds");
    AccessToken stored = f.store.findAccessToken(response.accessToken()).orElseThrow();
    assertEquals("read write admin", stored.scope());
    assertEquals(MACHINE, stored.clientId());
    assertEquals(f.clock.instant(), stored.issuedAt());
    assertEquals(f.clock.instant().plusSeconds(300), stored.expiresAt());
  }

  @Test
  void noRefreshTokenAndNoUser() {
    TokenResponse response = f.machineToken(null);
    assertNull(response.refreshToken());
    assertNull(f.store.findAccessToken(response.accessToken()).orElseThrow().username());
  }

  @Test
  void scopeMayBeNarrowedAndKeepsTheRegisteredOrder() {
    assertEquals("read", f.machineToken("read").scope());
    TokenResponse response = f.machineToken("admin read");
    assertEquals("read admin", response.scope());
    assertEquals("read admin", f.store.findAccessToken(response.accessToken()).orElseThrow().scope());
  }

  @Test
  void scopeCannotBeWidened() {
    OAuthException e = assertOAuthError(() -> f.machineToken("read delete"), "invalid_scope", 400,
        "scope goes beyond what this client may ask for (read write admin)");
    assertEquals("invalid_scope", e.error());
    assertEquals(0, f.store.accessTokenCount(), "nothing was issued");
  }

  @Test
  void malformedScopeIsInvalidScope() {
    assertOAuthError(() -> f.machineToken("read  write"), "invalid_scope", 400,
        "scope must be space-separated scope tokens (RFC 6749 section 3.3)");
    assertOAuthError(() -> f.machineToken("read\twrite"), "invalid_request", 400,
        "the parameter scope contains control characters");
  }

  @Test
  void eachRequestIsItsOwnGrant() {
    TokenResponse first = f.machineToken(null);
    TokenResponse second = f.machineToken(null);
    assertNotEquals(first.accessToken(), second.accessToken());
    assertNotEquals(f.store.findAccessToken(first.accessToken()).orElseThrow().grantId(),
        f.store.findAccessToken(second.accessToken()).orElseThrow().grantId());
  }

  @Test
  void tokenExpiresAfterTheClientsTtl() {
    TokenResponse response = f.machineToken(null);
    f.clock.advanceSeconds(299);
    assertTrue(f.store.findAccessToken(response.accessToken()).isPresent());
    f.clock.advanceSeconds(1);
    assertEquals(Optional.empty(), f.store.findAccessToken(response.accessToken()));
  }

  @Test
  void wrongSecretIsInvalidClient() {
    assertOAuthError(() -> f.token.exchange(basic(MACHINE, "wrong"), params("grant_type", "client_credentials")),
        "invalid_client", 401, ClientAuthenticator.FAILED);
  }

  // ---- grantTypes ----

  @Test
  void clientsWithoutClientCredentialsAreUnauthorizedClient() {
    for (String[] client : new String[][] {{CONFIDENTIAL, CONFIDENTIAL_SECRET}, {REFRESHER, REFRESHER_SECRET}}) {
      assertOAuthError(() -> f.token.exchange(basic(client[0], client[1]), params("grant_type", "client_credentials")),
          "unauthorized_client", 400,
          "this client may not use the client_credentials grant (see grantTypes in its registration)");
    }
    assertEquals(0, f.store.accessTokenCount());
  }

  @Test
  void clientCredentialsClientMayNotUseTheOtherGrants() {
    assertOAuthError(() -> f.token.exchange(basic(MACHINE, MACHINE_SECRET),
            params("grant_type", "authorization_code", "code", "x")),
        "unauthorized_client", 400,
        "this client may not use the authorization_code grant (see grantTypes in its registration)");
    assertOAuthError(() -> f.token.exchange(basic(MACHINE, MACHINE_SECRET),
            params("grant_type", "refresh_token", "refresh_token", "x")),
        "unauthorized_client", 400,
        "this client may not use the refresh_token grant (see grantTypes in its registration)");
  }

  @Test
  void endpointThatDoesNotOfferClientCredentialsRefusesIt() {
    assertOAuthError(() -> f.token.exchange(basic(MACHINE, MACHINE_SECRET), params("grant_type", "client_credentials"),
            Set.of("refresh_token")),
        "unsupported_grant_type", 400, "this grant_type is not supported here; use refresh_token");
  }
}
