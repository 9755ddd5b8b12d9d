package io.portcullis.it;

import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * The grants beyond the authorization code, over real HTTP: refresh, client credentials,
 * introspection and revocation, each called as a client would, so the tests read as the protocol.
 */
final class Grants {

  static final String REFRESH_WM = "/invoke/pub.oauth/refreshAccessToken";
  static final String INTROSPECT = "/invoke/pub.apigateway.oauth2/introspectToken";
  static final String INTROSPECT_WM = "/invoke/pub.oauth/introspectToken";
  static final String REVOKE = "/invoke/pub.apigateway.oauth2/revokeToken";
  static final String REVOKE_WM = "/invoke/pub.oauth/revokeToken";
  static final String METADATA = "/.well-known/oauth-authorization-server";

  /** A client as it authenticates: Basic with its secret, or client_id alone when public. */
  record Caller(String clientId, String secret, String redirectUri) {
    static Caller confidential(String clientId, String secret, String redirectUri) {
      return new Caller(clientId, secret, redirectUri);
    }

    static Caller publicClient(String clientId, String redirectUri) {
      return new Caller(clientId, null, redirectUri);
    }

    /** The request headers that authenticate this client (none for a public client). */
    String[] auth() {
      return secret == null ? new String[0] : new String[] {"Authorization", OAuthClient.basic(clientId, secret)};
    }

    /** The body fields that go with {@link #auth()}: client_id for a public client. */
    Map<String, String> withId(Map<String, String> body) {
      if (secret == null) {
        body.put("client_id", clientId);
      }
      return body;
    }
  }

  /** An access token and, when the client may refresh, a refresh token. */
  record Tokens(String access, String refresh, String scope) {}

  private final OAuthClient client;

  Grants(OAuthClient client) {
    this.client = client;
  }

  OAuthClient client() {
    return client;
  }

  /** A code through the approval page (S256), then exchanged at getAccessToken with Basic. */
  Tokens authorize(Caller caller, String scope) throws Exception {
    return authorize(caller, scope, ConfigJson.USER, ConfigJson.PASSWORD);
  }

  /** The same, approved by {@code username}. */
  Tokens authorize(Caller caller, String scope, String username, String password) throws Exception {
    return issued(exchange(caller, approved(caller, scope, username, password)));
  }

  /** A code approved by {@code username}, with the verifier that goes with it. */
  Approved approved(Caller caller, String scope, String username, String password) throws Exception {
    String verifier = OAuthClient.newVerifier();
    Map<String, String> query = params("response_type", "code", "client_id", caller.clientId(),
        "redirect_uri", caller.redirectUri(), "scope", scope,
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256");
    return new Approved(client.approve(query, username, password).get("code"), verifier);
  }

  /** An approved code and its PKCE verifier, not yet exchanged. */
  record Approved(String code, String verifier) {}

  /** The code exchanged at getAccessToken with the caller's credentials. */
  HttpResponse<String> exchange(Caller caller, Approved approved) throws Exception {
    return client.postForm(OAuthClient.TOKEN, caller.withId(params(
        "grant_type", "authorization_code", "code", approved.code(), "redirect_uri", caller.redirectUri(),
        "code_verifier", approved.verifier())), caller.auth());
  }

  /** A 200 token response: the tokens in it, with their shape checked. */
  static Tokens issued(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    ItAssertions.assertNoStore(response);
    JsonObject json = OAuthClient.json(response);
    String access = json.get("access_token").getAsString();
    assertTrue(access.matches("[0-9a-f]{64}"), access);
    assertEquals("Bearer", json.get("token_type").getAsString());
    String refresh = json.has("refresh_token") ? json.get("refresh_token").getAsString() : null;
    if (refresh != null) {
      assertTrue(refresh.matches("[0-9a-f]{64}"), refresh);
    }
    return new Tokens(access, refresh, json.has("scope") ? json.get("scope").getAsString() : null);
  }

  /** {@code grant_type=refresh_token} at getAccessToken, form body, optionally narrowing scope. */
  HttpResponse<String> refresh(Caller caller, String refreshToken, String scope) throws Exception {
    Map<String, String> body = params("grant_type", "refresh_token", "refresh_token", refreshToken);
    if (scope != null) {
      body.put("scope", scope);
    }
    return client.postForm(OAuthClient.TOKEN, caller.withId(body), caller.auth());
  }

  HttpResponse<String> introspect(String path, Caller caller, String token, String hint) throws Exception {
    Map<String, String> body = params("token", token);
    if (hint != null) {
      body.put("token_type_hint", hint);
    }
    return client.postForm(path, caller.withId(body), caller.auth());
  }

  /** Introspection at the standard path, asserting a 200 JSON answer. */
  JsonObject introspection(Caller caller, String token) throws Exception {
    HttpResponse<String> response = introspect(INTROSPECT, caller, token, null);
    assertEquals(200, response.statusCode(), response.body());
    ItAssertions.assertNoStore(response);
    return OAuthClient.json(response);
  }

  HttpResponse<String> revoke(String path, Caller caller, String token, String hint) throws Exception {
    Map<String, String> body = params("token", token);
    if (hint != null) {
      body.put("token_type_hint", hint);
    }
    return client.postForm(path, caller.withId(body), caller.auth());
  }

  /** A gateway route called with the token. */
  HttpResponse<String> route(String path, String accessToken) throws Exception {
    return client.get(path, "Authorization", "Bearer " + accessToken);
  }

  /** The filter lets the token through to the route echo. */
  JsonObject assertPasses(String accessToken) throws Exception {
    HttpResponse<String> response = route("/api/orders", accessToken);
    assertEquals(200, response.statusCode(), response.body());
    return OAuthClient.json(response);
  }

  /** The filter refuses the token at once: 401 with error="invalid_token" (RFC 6750 §3.1). */
  void assertRefused(String accessToken) throws Exception {
    HttpResponse<String> response = route("/api/orders", accessToken);
    assertEquals(401, response.statusCode(), response.body());
    String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
    assertTrue(challenge.startsWith("Bearer ") && challenge.contains("error=\"invalid_token\""), challenge);
  }

  /** Exactly {@code {"active":false}}: nothing more is told about an inactive token (RFC 7662 §2.2). */
  static void assertInactive(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    JsonObject json = OAuthClient.json(response);
    JsonObject expected = new JsonObject();
    expected.addProperty("active", false);
    assertEquals(expected, json, response.body());
  }

  void assertInactive(Caller caller, String token) throws Exception {
    assertInactive(introspect(INTROSPECT, caller, token, null));
  }
}
