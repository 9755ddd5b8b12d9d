package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.ItAssertions.assertNoInternals;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bearer-token filter in front of every other path (DESIGN 1.5, RFC 6750 §3), with the standard
 * routes: {@code /health} public, {@code /api/*} email, {@code /api/admin/*} admin, {@code /reports}
 * (exact) profile.
 */
class BearerFilterIT {

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.standard());
  static final OAuthClient client = new OAuthClient(server);
  static String emailToken;
  static String adminToken;
  static String allToken;

  /** Runs once the extension has started the server. */
  @BeforeAll
  static void obtainTokens() throws Exception {
    emailToken = token("email");
    adminToken = token("admin");
    allToken = token("email profile admin");
  }

  /** A token of the confidential client for these scopes, through the whole flow. */
  static String token(String scope) throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = client.approve(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", scope,
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"), USER, PASSWORD).get("code");
    HttpResponse<String> token = client.postForm(OAuthClient.TOKEN, params("grant_type", "authorization_code",
        "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", verifier),
        "Authorization", OAuthClient.basic(CONFIDENTIAL, CONFIDENTIAL_SECRET));
    assertEquals(200, token.statusCode(), token.body());
    assertEquals(scope, OAuthClient.json(token).get("scope").getAsString());
    return OAuthClient.json(token).get("access_token").getAsString();
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    return client.get(path, "Authorization", "Bearer " + token);
  }

  static String challenge(HttpResponse<String> response) {
    return response.headers().firstValue("WWW-Authenticate").orElse("");
  }

  static void assertPassed(HttpResponse<String> response, String path) {
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(path, OAuthClient.json(response).get("path").getAsString());
  }

  static void assertInsufficientScope(HttpResponse<String> response, String scope) {
    assertEquals(403, response.statusCode(), response.body());
    String challenge = challenge(response);
    assertTrue(challenge.startsWith("Bearer realm=\"portcullis\""), challenge);
    assertTrue(challenge.contains("error=\"insufficient_scope\""), challenge);
    assertTrue(challenge.contains("scope=\"" + scope + "\""), challenge);
    assertEquals("insufficient_scope", OAuthClient.json(response).get("error").getAsString());
  }

  @Test
  void noTokenIsABareBearerChallenge() throws Exception {
    for (String path : List.of("/api/orders", "/api/admin/users", "/reports", "/unlisted")) {
      HttpResponse<String> response = client.get(path);
      assertEquals(401, response.statusCode(), path);
      // RFC 6750 §3.1: no error code when the request had no credentials at all.
      assertEquals(List.of("Bearer realm=\"portcullis\""), response.headers().allValues("WWW-Authenticate"), path);
      assertNoInternals(response.body());
    }
  }

  @Test
  void otherCredentialsAreNoToken() throws Exception {
    HttpResponse<String> response = client.get("/api/orders", "Authorization", "Basic dXNlcjpwYXNz");
    assertEquals(401, response.statusCode());
    assertEquals("Bearer realm=\"portcullis\"", challenge(response));
  }

  @Test
  void theBearerSchemeIsCaseInsensitive() throws Exception {
    // RFC 7235 §2.1: auth-scheme is case-insensitive.
    for (String scheme : List.of("bearer", "BEARER", "BeArEr")) {
      assertPassed(client.get("/api/orders", "Authorization", scheme + " " + emailToken), "/api/orders");
    }
  }

  @Test
  void unknownTokenIsInvalidToken() throws Exception {
    HttpResponse<String> response = get("/api/orders", "0123456789abcdef".repeat(4));
    assertEquals(401, response.statusCode(), response.body());
    String challenge = challenge(response);
    assertTrue(challenge.startsWith("Bearer realm=\"portcullis\""), challenge);
    assertTrue(challenge.contains("error=\"invalid_token\""), challenge);
    assertEquals("invalid_token", OAuthClient.json(response).get("error").getAsString());
    assertEquals(401, get("/unlisted", "not-a-token").statusCode());
  }

  @Test
  void malformedBearerHeaderIsInvalidRequest() throws Exception {
    HttpResponse<String> response = client.get("/api/orders", "Authorization", "Bearer two words");
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(challenge(response).contains("error=\"invalid_request\""), challenge(response));
    assertNoInternals(response.body());
  }

  @Test
  void tokenLackingTheRoutesScopeIsInsufficientScope() throws Exception {
    assertInsufficientScope(get("/api/admin/users", emailToken), "admin");
    assertInsufficientScope(get("/reports", emailToken), "profile");
  }

  @Test
  void publicRoutePassesWithoutToken() throws Exception {
    HttpResponse<String> health = client.get("/health");
    assertEquals(200, health.statusCode(), health.body());
    JsonObject body = OAuthClient.json(health);
    assertTrue(body.get("public").getAsBoolean());
    assertFalse(body.has("client_id"), "a public route gets no caller attributes");
    // Even a bad token does not matter there.
    assertEquals(200, get("/health", "garbage-token").statusCode());
  }

  @Test
  void anExactRouteCoversOnlyItsOwnPath() throws Exception {
    // "/health" is public, "/health/x" is not listed, so it needs a token.
    assertEquals(401, client.get("/health/x").statusCode());
    // "/reports" needs profile; "/reports/x" is unlisted and needs only a valid token.
    assertPassed(get("/reports/x", emailToken), "/reports/x");
    assertInsufficientScope(get("/reports", emailToken), "profile");
    assertPassed(get("/reports", allToken), "/reports");
  }

  @Test
  void longestPrefixWins() throws Exception {
    assertPassed(get("/api/orders", emailToken), "/api/orders");
    assertPassed(get("/api", emailToken), "/api");
    assertInsufficientScope(get("/api/admin/users", emailToken), "admin");
    assertInsufficientScope(get("/api/admin", emailToken), "admin");

    // The admin route's rule replaces /api/*'s: admin alone is enough there, and not elsewhere below /api.
    assertPassed(get("/api/admin/users", adminToken), "/api/admin/users");
    assertInsufficientScope(get("/api/orders", adminToken), "email");
    // "/api/administrators" is not below "/api/admin/".
    assertPassed(get("/api/administrators", emailToken), "/api/administrators");
    assertInsufficientScope(get("/api/administrators", adminToken), "email");
  }

  @Test
  void unlistedPathStillNeedsAToken() throws Exception {
    assertEquals(401, client.get("/").statusCode());
    assertEquals(401, client.get("/unlisted/deep/path").statusCode());
    assertPassed(get("/unlisted/deep/path", adminToken), "/unlisted/deep/path");
  }

  @Test
  void dotSegmentsCannotReachAGuardedRouteThroughAPublicOne() throws Exception {
    RawHttp.Response response = RawHttp.exchange(server, List.of("GET /health/../api/admin/users HTTP/1.1"), null);
    // Normalized to /api/admin/users before the filter matches routes: a token is needed.
    assertEquals(401, response.status(), response.body());
    assertEquals("Bearer realm=\"portcullis\"", response.firstHeader("WWW-Authenticate"));
    // Encoded dot segments never get that far.
    RawHttp.Response encoded = RawHttp.exchange(server, List.of("GET /health/%2e%2e/api/admin/users HTTP/1.1"), null);
    assertEquals(400, encoded.status(), encoded.body());
    assertFalse(encoded.body().contains("\"public\":true"), encoded.body());
  }

  @Test
  void twoAuthorizationHeadersAreInvalidRequest() throws Exception {
    RawHttp.Response response = RawHttp.exchange(server, List.of(
        "GET /api/orders HTTP/1.1",
        "Authorization: Bearer " + emailToken,
        "Authorization: Bearer " + adminToken), null);
    assertEquals(400, response.status(), response.body());
    String challenge = response.firstHeader("WWW-Authenticate");
    assertTrue(challenge.startsWith("Bearer realm=\"portcullis\""), challenge);
    assertTrue(challenge.contains("error=\"invalid_request\""), challenge);
    assertTrue(response.body().contains("\"error\":\"invalid_request\""), response.body());
    assertNoInternals(response.body());

    // The same token twice is still two headers.
    RawHttp.Response same = RawHttp.exchange(server, List.of(
        "GET /unlisted HTTP/1.1",
        "Authorization: Bearer " + emailToken,
        "Authorization: Bearer " + emailToken), null);
    assertEquals(400, same.status(), same.body());
  }

  @Test
  void twoAuthorizationHeadersAtTheTokenEndpointAreInvalidRequest() throws Exception {
    RawHttp.Response response = RawHttp.exchange(server, List.of(
        "POST " + OAuthClient.TOKEN + " HTTP/1.1",
        "Content-Type: application/x-www-form-urlencoded",
        "Authorization: " + OAuthClient.basic(CONFIDENTIAL, CONFIDENTIAL_SECRET),
        "Authorization: " + OAuthClient.basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        "grant_type=authorization_code&code=abc&redirect_uri=x");
    assertEquals(400, response.status(), response.body());
    assertTrue(response.body().contains("\"error\":\"invalid_request\""), response.body());
    assertEquals("no-store", response.firstHeader("Cache-Control"));
  }

  @Test
  void theRouteLearnsClientUserAndScopes() throws Exception {
    HttpResponse<String> response = client.http().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(server.url("/api/orders/7?x=1")))
        .method("DELETE", java.net.http.HttpRequest.BodyPublishers.noBody())
        .header("Authorization", "Bearer " + allToken).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = OAuthClient.json(response);
    assertEquals("/api/orders/7", body.get("path").getAsString());
    assertEquals("DELETE", body.get("method").getAsString());
    assertEquals(CONFIDENTIAL, body.get("client_id").getAsString());
    assertEquals(USER, body.get("username").getAsString());
    JsonArray scopes = body.getAsJsonArray("scopes");
    assertEquals(List.of("admin", "email", "profile"),
        scopes.asList().stream().map(e -> e.getAsString()).toList());
    assertFalse(body.has("public"));

    JsonArray narrow = OAuthClient.json(get("/api/orders", emailToken)).getAsJsonArray("scopes");
    assertEquals(List.of("email"), narrow.asList().stream().map(e -> e.getAsString()).toList());
  }

  @Test
  void theOAuthEndpointsAreNotGuarded() throws Exception {
    // No bearer token, yet the endpoints answer with their own errors, not the filter's 401.
    HttpResponse<String> authorize = client.get(OAuthClient.AUTHORIZE + "?client_id=no-such-client");
    assertEquals(400, authorize.statusCode());
    assertTrue(authorize.headers().firstValue("WWW-Authenticate").isEmpty());
    HttpResponse<String> token = client.postForm(OAuthClient.TOKEN, params("grant_type", "authorization_code"));
    assertEquals(401, token.statusCode());
    assertTrue(challenge(token).startsWith("Basic "), challenge(token));
  }
}
