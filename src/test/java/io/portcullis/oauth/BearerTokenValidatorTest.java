package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_SECRET;
import static io.portcullis.oauth.OAuthFixture.VERIFIER;
import static io.portcullis.oauth.OAuthFixture.basic;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.TokenServiceTest.assertOAuthError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.store.AccessToken;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Routes of the fixture: /health public, /api/* email, /api/admin/* orders, /api/admin/open public,
 * /api/profile email and profile.
 */
class BearerTokenValidatorTest {

  static final String INVALID_TOKEN = "the access token is invalid, expired or revoked";
  static final String BAD_HEADER = "the Authorization header must be 'Bearer <token>' (RFC 6750 section 2.1)";

  final OAuthFixture f = OAuthFixture.standard();
  final BearerTokenValidator bearer = f.bearer;

  /** A token with scope "email profile". */
  String token() {
    return f.exchange(f.code()).accessToken();
  }

  String tokenWithScope(String scope) {
    return f.token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params("grant_type", "authorization_code",
        "code", f.code(OAuthFixture.validRequestWith("scope", scope)), "redirect_uri", CONFIDENTIAL_REDIRECT,
        "code_verifier", VERIFIER)).accessToken();
  }

  // ---- public routes ----

  @Test
  void publicRoutePassesWithoutAToken() {
    assertEquals(Optional.empty(), bearer.check("/health", List.of()));
  }

  @Test
  void publicRouteIgnoresWhateverHeadersCome() {
    assertEquals(Optional.empty(), bearer.check("/health", List.of("Bearer nope", "Basic x")));
  }

  @Test
  void publicRouteIsExactOnly() {
    assertMissingToken(() -> bearer.check("/health/x", List.of()));
    assertMissingToken(() -> bearer.check("/healthz", List.of()));
  }

  // ---- no or malformed credentials ----

  @Test
  void noHeaderIsMissingTokenWithoutAnErrorCode() {
    OAuthException e = assertThrows(OAuthException.class, () -> bearer.check("/api/orders", List.of()));
    assertNull(e.error(), "RFC 6750 §3.1: no error code when no credentials were sent");
    assertEquals(401, e.status());
    assertEquals("this route requires an access token (Authorization: Bearer ...)", e.description());
  }

  @Test
  void otherSchemeIsMissingToken() {
    assertMissingToken(() -> bearer.check("/api/orders", List.of("Basic x")));
    assertMissingToken(() -> bearer.check("/api/orders", List.of("Basic " + token())));
    assertMissingToken(() -> bearer.check("/api/orders", List.of("Bearerx abc")));
  }

  @Test
  void twoAuthorizationHeadersAreInvalidRequest() {
    String token = token();
    assertOAuthError(() -> bearer.check("/api/orders", List.of("Bearer " + token, "Bearer " + token)),
        "invalid_request", 400, "the request has more than one Authorization header");
  }

  @Test
  void malformedBearerHeaderIsInvalidRequest() {
    for (String header : List.of("Bearer", "Bearer ", "Bearer a b", "Bearer abc=def", "Bearer ===", "Bearer a,b",
        "Bearer \"abc\"", "Bearer caf\u00e9", "Bearer " + "a".repeat(4097), "Bearer\t" + token(),
        "Bearer\t\t" + token(), "bearer\u000b" + token())) {
      assertOAuthError(() -> bearer.check("/api/orders", List.of(header)), "invalid_request", 400, BAD_HEADER);
    }
  }

  @Test
  void b64TokenSyntaxIsAcceptedBeforeTheLookup() {
    // Well-formed but unknown: the syntax passes, the store says no.
    for (String header : List.of("Bearer abc==", "Bearer a-._~+/9", "Bearer " + "a".repeat(4096))) {
      assertOAuthError(() -> bearer.check("/api/orders", List.of(header)), "invalid_token", 401, INVALID_TOKEN);
    }
  }

  // ---- the token ----

  @Test
  void validTokenPassesWithWhatItGrants() {
    String token = token();
    AccessToken granted = bearer.check("/api/orders", List.of("Bearer " + token)).orElseThrow();
    assertEquals(CONFIDENTIAL, granted.clientId());
    assertEquals("alice", granted.username());
    assertEquals("email profile", granted.scope());
  }

  @Test
  void schemeIsCaseInsensitiveAndSurroundingSpaceIgnored() {
    String token = token();
    assertEquals(CONFIDENTIAL, bearer.check("/api/orders", List.of("bearer " + token)).orElseThrow().clientId());
    assertEquals(CONFIDENTIAL, bearer.check("/api/orders", List.of("  BEARER " + token + "  ")).orElseThrow()
        .clientId());
  }

  @Test
  void aTokenOfAClientNoLongerRegisteredIsInvalidToken() {
    f.store.saveAccessToken("t-of-a-removed-client", new io.portcullis.store.AccessToken(99, "removed-client",
        "alice", "email", f.clock.instant().getEpochSecond(), f.clock.instant().plusSeconds(600).getEpochSecond()));
    assertOAuthError(() -> bearer.check("/api/orders", List.of("Bearer t-of-a-removed-client")), "invalid_token", 401,
        INVALID_TOKEN);
  }

  @Test
  void aTokenApprovedByAUserNoLongerListedIsInvalidToken() {
    long now = f.clock.instant().getEpochSecond();
    f.store.saveAccessToken("t-of-a-removed-user", new io.portcullis.store.AccessToken(98, CONFIDENTIAL,
        "removed-user", "email", now, now + 600));
    assertOAuthError(() -> bearer.check("/api/orders", List.of("Bearer t-of-a-removed-user")), "invalid_token", 401,
        INVALID_TOKEN);
    f.store.saveAccessToken("t-of-the-client-itself", new io.portcullis.store.AccessToken(97, CONFIDENTIAL,
        null, "email", now, now + 600));
    assertEquals(CONFIDENTIAL, bearer.check("/api/orders", List.of("Bearer t-of-the-client-itself")).orElseThrow()
        .clientId(), "a client's own token has no user to lose");
  }

  @Test
  void unknownTokenIsInvalidToken() {
    assertOAuthError(() -> bearer.check("/api/orders", List.of("Bearer " + "0".repeat(64))),
        "invalid_token", 401, INVALID_TOKEN);
  }

  @Test
  void expiredTokenIsInvalidToken() {
    String token = token();
    f.clock.advanceSeconds(899);
    bearer.check("/api/orders", List.of("Bearer " + token));
    f.clock.advanceSeconds(1);
    assertOAuthError(() -> bearer.check("/api/orders", List.of("Bearer " + token)), "invalid_token", 401, INVALID_TOKEN);
  }

  @Test
  void revokedTokenIsInvalidToken() {
    String token = token();
    long grantId = f.store.findAccessToken(token).orElseThrow().grantId();
    f.store.revokeGrant(grantId, f.clock.instant().plusSeconds(3600));
    assertOAuthError(() -> bearer.check("/api/orders", List.of("Bearer " + token)), "invalid_token", 401, INVALID_TOKEN);
  }

  // ---- scopes ----

  @Test
  void insufficientScopeIs403WithTheRequiredScope() {
    String token = token();
    OAuthException e = assertOAuthError(() -> bearer.check("/api/admin/users", List.of("Bearer " + token)),
        "insufficient_scope", 403, "the access token does not grant the scope this route requires: orders");
    assertEquals("orders", e.requiredScope());
  }

  @Test
  void everyRequiredScopeMustBeHeld() {
    String emailOnly = tokenWithScope("email");
    OAuthException e = assertThrows(OAuthException.class,
        () -> bearer.check("/api/profile", List.of("Bearer " + emailOnly)));
    assertEquals("insufficient_scope", e.error());
    assertEquals(403, e.status());
    assertEquals(Set.of("email", "profile"), Set.of(e.requiredScope().split(" ")));
    bearer.check("/api/profile", List.of("Bearer " + token()));
  }

  @Test
  void tokenWithNoScopeOpensOnlyRoutesWithoutScopes() {
    f.store.saveAccessToken("noscope", new AccessToken(99, CONFIDENTIAL, "alice", "",
        f.clock.instant().getEpochSecond(), f.clock.instant().plusSeconds(60).getEpochSecond()));
    assertEquals("", bearer.check("/elsewhere", List.of("Bearer noscope")).orElseThrow().scope());
    OAuthException e = assertThrows(OAuthException.class, () -> bearer.check("/api/x", List.of("Bearer noscope")));
    assertEquals("email", e.requiredScope());
  }

  // ---- routing ----

  @Test
  void longestMatchWins() {
    String emailProfile = token();
    String orders = tokenWithScope("orders");
    // /api/admin/* (orders) beats /api/* (email).
    bearer.check("/api/admin/users", List.of("Bearer " + orders));
    assertEquals("orders", assertThrows(OAuthException.class,
        () -> bearer.check("/api/admin/users", List.of("Bearer " + emailProfile))).requiredScope());
    assertEquals("orders", assertThrows(OAuthException.class,
        () -> bearer.check("/api/admin", List.of("Bearer " + emailProfile))).requiredScope());
    // /api/* still governs its other paths.
    assertEquals("email", assertThrows(OAuthException.class,
        () -> bearer.check("/api/orders", List.of("Bearer " + orders))).requiredScope());
    assertEquals("email", assertThrows(OAuthException.class,
        () -> bearer.check("/api/administrator", List.of("Bearer " + orders))).requiredScope());
  }

  @Test
  void exactPathBeatsAPrefix() {
    // /api/admin/open is public although /api/admin/* requires orders.
    assertEquals(Optional.empty(), bearer.check("/api/admin/open", List.of()));
    assertMissingToken(() -> bearer.check("/api/admin/open/more", List.of()));
    // /api/profile needs email and profile, more than /api/* would.
    String emailOnly = tokenWithScope("email");
    bearer.check("/api/profiles", List.of("Bearer " + emailOnly));
    assertThrows(OAuthException.class, () -> bearer.check("/api/profile", List.of("Bearer " + emailOnly)));
  }

  @Test
  void unmatchedPathStillNeedsAToken() {
    assertMissingToken(() -> bearer.check("/elsewhere", List.of()));
    assertMissingToken(() -> bearer.check("/", List.of()));
    assertOAuthError(() -> bearer.check("/elsewhere", List.of("Bearer " + "0".repeat(64))),
        "invalid_token", 401, INVALID_TOKEN);
    String orders = tokenWithScope("orders");
    assertEquals("orders", bearer.check("/elsewhere", List.of("Bearer " + orders)).orElseThrow().scope());
  }

  private static void assertMissingToken(org.junit.jupiter.api.function.Executable call) {
    OAuthException e = assertThrows(OAuthException.class, call);
    assertNull(e.error());
    assertEquals(401, e.status());
  }

  @Test
  void aTokensScopeSetIsMadeOnceAndTheCacheOfThemIsBounded() {
    java.util.Set<String> first = bearer.scopes("email profile");
    assertEquals(java.util.Set.of("email", "profile"), first);
    org.junit.jupiter.api.Assertions.assertSame(first, bearer.scopes("email profile"));
    assertThrows(UnsupportedOperationException.class, () -> first.add("admin"));
    // Past the bound every distinct string still gets its own right set, none kept.
    for (int i = 0; i < BearerTokenValidator.MAX_SCOPE_SETS + 100; i++) {
      assertEquals(java.util.Set.of("s" + i, "email"), bearer.scopes("s" + i + " email"));
    }
    String late = "late-" + BearerTokenValidator.MAX_SCOPE_SETS;
    assertEquals(java.util.Set.of(late), bearer.scopes(late));
    org.junit.jupiter.api.Assertions.assertNotSame(bearer.scopes(late), bearer.scopes(late));
  }
}
