package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.CHALLENGE;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_OTHER_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_SECRET;
import static io.portcullis.oauth.OAuthFixture.LEGACY;
import static io.portcullis.oauth.OAuthFixture.LEGACY_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.LEGACY_SECRET;
import static io.portcullis.oauth.OAuthFixture.SPA;
import static io.portcullis.oauth.OAuthFixture.SPA_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.VERIFIER;
import static io.portcullis.oauth.OAuthFixture.basic;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.OAuthFixture.validRequestWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.store.AccessToken;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TokenServiceTest {

  static final String INVALID_CODE = "the authorization code is invalid, expired or already used";

  final OAuthFixture f = OAuthFixture.standard();

  // ---- success ----

  @Test
  void codeAndVerifierBuyABearerToken() {
    TokenResponse response = f.exchange(f.code());
    assertTrue(response.accessToken().matches("[0-9a-f]{64}"), response.accessToken());
    assertEquals("Bearer", response.tokenType());
    assertEquals("email profile", response.scope());

    AccessToken stored = f.store.findAccessToken(response.accessToken()).orElseThrow();
    assertEquals(CONFIDENTIAL, stored.clientId());
    assertEquals("alice", stored.username());
    assertEquals("email profile", stored.scope());
    assertEquals(f.clock.instant(), stored.issuedAt());
  }

  @Test
  void expiresInIsTheClientsOwnTtl() {
    TokenResponse response = f.exchange(f.code());
    assertEquals(900, response.expiresIn(), "confidential has accessTokenTtlSeconds 900");
    AccessToken stored = f.store.findAccessToken(response.accessToken()).orElseThrow();
    assertEquals(f.clock.instant().plusSeconds(900), stored.expiresAt());

    f.clock.advanceSeconds(899);
    assertTrue(f.store.findAccessToken(response.accessToken()).isPresent());
    f.clock.advanceSeconds(1);
    assertEquals(Optional.empty(), f.store.findAccessToken(response.accessToken()));
  }

  @Test
  void clientWithoutItsOwnTtlGetsTheGlobalOne() {
    String code = f.code(params("response_type", "code", "client_id", LEGACY));
    TokenResponse response = f.token.exchange(basic(LEGACY, LEGACY_SECRET),
        params("grant_type", "authorization_code", "code", code));
    assertEquals(3600, response.expiresIn());
    assertEquals("email", response.scope());
  }

  @Test
  void publicClientAuthenticatesWithClientIdAndVerifier() {
    String code = f.code(params("response_type", "code", "client_id", SPA, "redirect_uri", SPA_REDIRECT,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256"));
    TokenResponse response = f.token.exchange(null, params("grant_type", "authorization_code", "code", code,
        "redirect_uri", SPA_REDIRECT, "code_verifier", VERIFIER, "client_id", SPA));
    assertEquals(SPA, f.store.findAccessToken(response.accessToken()).orElseThrow().clientId());
  }

  @Test
  void secretInTheBodyWorksToo() {
    TokenResponse response = f.token.exchange(null, params("grant_type", "authorization_code", "code", f.code(),
        "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", VERIFIER, "client_id", CONFIDENTIAL,
        "client_secret", CONFIDENTIAL_SECRET));
    assertEquals(900, response.expiresIn());
  }

  @Test
  void seedRequestWithClientIdInBodyAndBasicHeaderWorks() {
    // The seed sends client_id in the JSON body as well as in the Basic header.
    TokenResponse response = f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
        "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", "email", "grant_type", "authorization_code",
        "code", f.code(), "code_verifier", VERIFIER, "client_id", CONFIDENTIAL));
    assertEquals("email", response.scope());
  }

  @Test
  void eachExchangeIssuesADifferentToken() {
    assertNotEquals(f.exchange(f.code()).accessToken(), f.exchange(f.code()).accessToken());
  }

  @Test
  void plainChallengeIsVerifiedAsPlainWhenConfigured() {
    OAuthFixture plain = OAuthFixture.withPlain();
    String code = plain.code(params("response_type", "code", "client_id", LEGACY, "code_challenge", VERIFIER,
        "code_challenge_method", "plain"));
    TokenResponse response = plain.token.exchange(basic(LEGACY, LEGACY_SECRET),
        params("grant_type", "authorization_code", "code", code, "code_verifier", VERIFIER));
    assertEquals("email", response.scope());

    String other = plain.code(params("response_type", "code", "client_id", LEGACY, "code_challenge", CHALLENGE));
    assertOAuthError(() -> plain.token.exchange(basic(LEGACY, LEGACY_SECRET),
            params("grant_type", "authorization_code", "code", other, "code_verifier", VERIFIER)),
        "invalid_grant", 400, "code_verifier does not match the code_challenge");
  }

  // ---- the code ----

  @Test
  void unknownCodeIsInvalidGrant() {
    assertOAuthError(() -> f.exchange("0".repeat(40)), "invalid_grant", 400, INVALID_CODE);
  }

  @Test
  void codeExpiresAfterAuthorizationCodeTtl() {
    String early = f.code();
    String late = f.code();
    f.clock.advanceSeconds(599);
    f.exchange(early);
    f.clock.advanceSeconds(1);
    assertOAuthError(() -> f.exchange(late), "invalid_grant", 400, INVALID_CODE);
  }

  @Test
  void reusedCodeIsInvalidGrantAndRevokesTheTokenIssuedFromIt() {
    String code = f.code();
    TokenResponse first = f.exchange(code);
    TokenResponse unrelated = f.exchange(f.code());
    assertTrue(f.store.findAccessToken(first.accessToken()).isPresent());

    assertOAuthError(() -> f.exchange(code), "invalid_grant", 400, INVALID_CODE);

    assertEquals(Optional.empty(), f.store.findAccessToken(first.accessToken()));
    OAuthException e = assertThrows(OAuthException.class,
        () -> f.bearer.check("/api/orders", List.of("Bearer " + first.accessToken())));
    assertEquals("invalid_token", e.error());
    assertTrue(f.store.findAccessToken(unrelated.accessToken()).isPresent(), "other grants are untouched");
  }

  @Test
  void anotherClientReplayingASpentCodeRevokesNothing() {
    String code = f.code();
    TokenResponse first = f.exchange(code);
    assertOAuthError(() -> f.token.exchange(basic(LEGACY, LEGACY_SECRET), params("grant_type", "authorization_code",
            "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", VERIFIER)),
        "invalid_grant", 400, INVALID_CODE);
    assertTrue(f.store.findAccessToken(first.accessToken()).isPresent(),
        "a client cannot kill another client's tokens with a spent code");
  }

  @Test
  void revocationOutlivesTheLongestTokenTtl() {
    String code = f.code();
    TokenResponse first = f.exchange(code);
    f.clock.advanceSeconds(100);
    assertOAuthError(() -> f.exchange(code), "invalid_grant", 400, INVALID_CODE);
    f.clock.advanceSeconds(799);
    assertEquals(Optional.empty(), f.store.findAccessToken(first.accessToken()));
  }

  @Test
  void codeIssuedToAnotherClientIsInvalidGrant() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(LEGACY, LEGACY_SECRET), params("grant_type", "authorization_code",
            "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", VERIFIER)),
        "invalid_grant", 400, "the authorization code was issued to another client");
  }

  // ---- redirect_uri ----

  @Test
  void wrongRedirectUriIsInvalidGrant() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
            "grant_type", "authorization_code", "code", code, "redirect_uri", CONFIDENTIAL_OTHER_REDIRECT,
            "code_verifier", VERIFIER)),
        "invalid_grant", 400, "redirect_uri does not match the one used in the authorization request");
  }

  @Test
  void missingRedirectUriIsInvalidGrantWhenTheRequestHadOne() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
            "grant_type", "authorization_code", "code", code, "code_verifier", VERIFIER)),
        "invalid_grant", 400, "redirect_uri is missing; send the one used in the authorization request");
  }

  @Test
  void redirectUriMayBeOmittedWhenTheRequestOmittedIt() {
    String code = f.code(params("response_type", "code", "client_id", LEGACY));
    f.token.exchange(basic(LEGACY, LEGACY_SECRET), params("grant_type", "authorization_code", "code", code));
    String code2 = f.code(params("response_type", "code", "client_id", LEGACY));
    f.token.exchange(basic(LEGACY, LEGACY_SECRET), params("grant_type", "authorization_code", "code", code2,
        "redirect_uri", LEGACY_REDIRECT));
    String code3 = f.code(params("response_type", "code", "client_id", LEGACY));
    assertOAuthError(() -> f.token.exchange(basic(LEGACY, LEGACY_SECRET), params("grant_type", "authorization_code",
            "code", code3, "redirect_uri", LEGACY_REDIRECT + "/x")),
        "invalid_grant", 400, "redirect_uri does not match the one used in the authorization request");
  }

  // ---- PKCE ----

  @Test
  void missingVerifierIsInvalidGrant() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
            "grant_type", "authorization_code", "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT)),
        "invalid_grant", 400, "code_verifier is missing; this code was issued with a code_challenge");
  }

  @Test
  void wrongVerifierIsInvalidGrant() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
            "grant_type", "authorization_code", "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT,
            "code_verifier", VERIFIER.substring(1) + "A")),
        "invalid_grant", 400, "code_verifier does not match the code_challenge");
  }

  @Test
  void challengeGivenAsVerifierIsInvalidGrant() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
            "grant_type", "authorization_code", "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT,
            "code_verifier", CHALLENGE)),
        "invalid_grant", 400, "code_verifier does not match the code_challenge");
  }

  @Test
  void malformedVerifierIsInvalidGrantAndDoesNotSpendTheCode() {
    String code = f.code();
    for (String verifier : List.of("short", "a".repeat(129), VERIFIER.substring(1) + "+")) {
      assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
              "grant_type", "authorization_code", "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT,
              "code_verifier", verifier)),
          "invalid_grant", 400, "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)");
    }
    f.exchange(code);
  }

  @Test
  void verifierWithoutChallengeIsInvalidGrant() {
    String code = f.code(params("response_type", "code", "client_id", LEGACY));
    assertOAuthError(() -> f.token.exchange(basic(LEGACY, LEGACY_SECRET), params("grant_type", "authorization_code",
            "code", code, "code_verifier", VERIFIER)),
        "invalid_grant", 400, "code_verifier was sent, but the authorization request had no code_challenge");
  }

  // ---- scope ----

  @Test
  void scopeMayBeNarrowed() {
    TokenResponse response = f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
        "grant_type", "authorization_code", "code", f.code(), "redirect_uri", CONFIDENTIAL_REDIRECT,
        "code_verifier", VERIFIER, "scope", "profile"));
    assertEquals("profile", response.scope());
    assertEquals("profile", f.store.findAccessToken(response.accessToken()).orElseThrow().scope());
  }

  @Test
  void narrowedScopeKeepsTheGrantedOrder() {
    TokenResponse response = f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
        "grant_type", "authorization_code", "code", f.code(), "redirect_uri", CONFIDENTIAL_REDIRECT,
        "code_verifier", VERIFIER, "scope", "profile email"));
    assertEquals("email profile", response.scope());
  }

  @Test
  void scopeCannotBeWidened() {
    // The user granted email profile; the client may have orders, but the user did not grant it.
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
            "grant_type", "authorization_code", "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT,
            "code_verifier", VERIFIER, "scope", "email orders")),
        "invalid_scope", 400, "scope may only narrow what was granted (email profile); ask for more in a new authorization request");
  }

  @Test
  void malformedScopeIsInvalidScopeAndDoesNotSpendTheCode() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
            "grant_type", "authorization_code", "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT,
            "code_verifier", VERIFIER, "scope", "email  profile")),
        "invalid_scope", 400, "scope must be space-separated scope tokens (RFC 6749 section 3.3)");
    f.exchange(code);
  }

  @Test
  void grantedScopeComesFromTheAuthorizationRequest() {
    String code = f.code(validRequestWith("scope", "orders"));
    assertEquals("orders", f.exchange(code).scope());
  }

  // ---- request shape ----

  @Test
  void missingGrantTypeIsInvalidRequest() {
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params("code", "x")),
        "invalid_request", 400, "grant_type is missing; use grant_type=authorization_code or "
            + "grant_type=client_credentials or grant_type=refresh_token");
  }

  @Test
  void otherGrantTypesAreUnsupported() {
    for (String grantType : List.of("password", "implicit", "Authorization_Code", "urn:x:custom")) {
      assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET),
              params("grant_type", grantType, "code", "x")),
          "unsupported_grant_type", 400, "this grant_type is not supported here; "
              + "use authorization_code or client_credentials or refresh_token");
    }
  }

  @Test
  void grantsTheClientIsNotRegisteredForAreUnauthorizedClient() {
    for (String grantType : List.of("client_credentials", "refresh_token")) {
      assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET),
              params("grant_type", grantType, "refresh_token", "x")),
          "unauthorized_client", 400, "this client may not use the " + grantType
              + " grant (see grantTypes in its registration)");
    }
  }

  @Test
  void missingCodeIsInvalidRequest() {
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET),
            params("grant_type", "authorization_code", "redirect_uri", CONFIDENTIAL_REDIRECT)),
        "invalid_request", 400, "the parameter code is missing");
  }

  @Test
  void repeatedParameterIsInvalidRequestAndDoesNotSpendTheCode() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params(
            "grant_type", "authorization_code", "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT,
            "code_verifier", VERIFIER, "code_verifier", VERIFIER)),
        "invalid_request", 400, "the parameter code_verifier was given more than once");
    assertOAuthError(() -> f.token.exchange(null, params("client_id", CONFIDENTIAL, "client_id", LEGACY)),
        "invalid_request", 400, "the parameter client_id was given more than once");
    f.exchange(code);
  }

  @Test
  void failedClientAuthenticationDoesNotSpendTheCode() {
    String code = f.code();
    assertOAuthError(() -> f.token.exchange(basic(CONFIDENTIAL, "wrong"), params("grant_type", "authorization_code",
            "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", VERIFIER)),
        "invalid_client", 401, ClientAuthenticator.FAILED);
    f.exchange(code);
  }

  static OAuthException assertOAuthError(Executable call, String error, int status, String description) {
    OAuthException e = assertThrows(OAuthException.class, call);
    assertEquals(error, e.error(), e.getMessage());
    assertEquals(status, e.status(), e.getMessage());
    assertEquals(description, e.description());
    return e;
  }
}
