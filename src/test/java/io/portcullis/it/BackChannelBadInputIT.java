package io.portcullis.it;

import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.Grants.INTROSPECT;
import static io.portcullis.it.Grants.INTROSPECT_WM;
import static io.portcullis.it.Grants.REFRESH_WM;
import static io.portcullis.it.Grants.REVOKE;
import static io.portcullis.it.Grants.REVOKE_WM;
import static io.portcullis.it.ItAssertions.assertNoInternals;
import static io.portcullis.it.ItAssertions.assertTokenError;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.portcullis.it.Grants.Caller;
import io.portcullis.it.Grants.Tokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input at the new client-to-server endpoints (refresh at getAccessToken and
 * refreshAccessToken, introspection, revocation), over real HTTP: POST only, nothing in the URL
 * query, no parameter twice, the token required, and never a 500, a stack trace or a changed
 * token (DESIGN 1.6).
 */
class BackChannelBadInputIT {

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants());
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);

  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);
  static final String AUTH = basic(REFRESHING, REFRESHING_SECRET);

  static boolean isTokenEndpoint(String path) {
    return path.equals(TOKEN) || path.equals(REFRESH_WM);
  }

  /** The name the endpoint takes the token under. */
  static String tokenField(String path) {
    return isTokenEndpoint(path) ? "refresh_token" : "token";
  }

  /** A well-formed body for the endpoint, about {@code token} (a refresh token). */
  static Map<String, String> body(String path, String token) {
    return isTokenEndpoint(path)
        ? params("grant_type", "refresh_token", "refresh_token", token)
        : params("token", token);
  }

  /** The refresh token and its access token are untouched: the refused request changed nothing. */
  static void assertUntouched(Tokens tokens) throws Exception {
    grants.assertPasses(tokens.access());
    assertTrue(grants.introspection(APP, tokens.refresh()).get("active").getAsBoolean());
  }

  @ParameterizedTest
  @ValueSource(strings = {TOKEN, REFRESH_WM, INTROSPECT, INTROSPECT_WM, REVOKE, REVOKE_WM})
  void onlyPostIsAnswered(String path) throws Exception {
    for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
      HttpResponse<String> response = client.http().send(HttpRequest.newBuilder(URI.create(client.url(path)))
          .method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", AUTH).build(),
          HttpResponse.BodyHandlers.ofString());
      assertTokenError(response, 405, "invalid_request");
      assertEquals("POST", response.headers().firstValue("Allow").orElse(null), method + " " + path);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TOKEN, REFRESH_WM, INTROSPECT, INTROSPECT_WM, REVOKE, REVOKE_WM})
  void parametersInTheUrlQueryAreRefused(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    // The body alone would be a valid request: the query still makes it a bad one.
    assertTokenError(client.postForm(path + "?" + tokenField(path) + "=" + tokens.refresh(),
        body(path, tokens.refresh()), "Authorization", AUTH), 400, "invalid_request");
    assertTokenError(client.postForm(path + "?token_type_hint=refresh_token", body(path, tokens.refresh()),
        "Authorization", AUTH), 400, "invalid_request");
    assertTokenError(client.postJson(path + "?client_id=" + REFRESHING,
        TokenEndpointIT.json(body(path, tokens.refresh())), "Authorization", AUTH), 400, "invalid_request");
    assertUntouched(tokens);
  }

  @ParameterizedTest
  @ValueSource(strings = {TOKEN, REFRESH_WM, INTROSPECT, INTROSPECT_WM, REVOKE, REVOKE_WM})
  void duplicateParametersAreRefused(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    String field = tokenField(path);
    String form = OAuthClient.formEncode(body(path, tokens.refresh())) + "&" + field + "=" + tokens.refresh();
    assertTokenError(client.post(path, "application/x-www-form-urlencoded", form, "Authorization", AUTH),
        400, "invalid_request");
    String json = TokenEndpointIT.json(body(path, tokens.refresh()));
    String twice = json.substring(0, json.length() - 1) + ",\"" + field + "\":\"" + tokens.refresh() + "\"}";
    assertTokenError(client.postJson(path, twice, "Authorization", AUTH), 400, "invalid_request");
    // The client named twice: in the body and again in the body.
    String ids = OAuthClient.formEncode(body(path, tokens.refresh())) + "&client_id=" + REFRESHING
        + "&client_id=" + REFRESHING + "&client_secret=" + REFRESHING_SECRET;
    assertTokenError(client.post(path, "application/x-www-form-urlencoded", ids), 400, "invalid_request");
    assertUntouched(tokens);
  }

  @ParameterizedTest
  @ValueSource(strings = {TOKEN, REFRESH_WM, INTROSPECT, INTROSPECT_WM, REVOKE, REVOKE_WM})
  void aMissingTokenIsInvalidRequest(String path) throws Exception {
    Map<String, String> body = body(path, "x");
    body.remove(tokenField(path));
    assertTokenError(client.postForm(path, body, "Authorization", AUTH), 400, "invalid_request");
    assertTokenError(client.postJson(path, TokenEndpointIT.json(body), "Authorization", AUTH), 400, "invalid_request");
    // Empty is missing too.
    body.put(tokenField(path), "");
    assertTokenError(client.postForm(path, body, "Authorization", AUTH), 400, "invalid_request");
  }

  @ParameterizedTest
  @ValueSource(strings = {TOKEN, REFRESH_WM, INTROSPECT, INTROSPECT_WM, REVOKE, REVOKE_WM})
  void twoAuthorizationHeadersAreRefused(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    String form = OAuthClient.formEncode(body(path, tokens.refresh()));
    RawHttp.Response response = RawHttp.exchange(server, List.of("POST " + path + " HTTP/1.1",
        "Content-Type: application/x-www-form-urlencoded", "Authorization: " + AUTH, "Authorization: " + AUTH), form);
    assertEquals(400, response.status(), response.body());
    assertNoInternals(response.body());
    assertEquals("invalid_request", JsonParser.parseString(response.body()).getAsJsonObject().get("error").getAsString());
    assertUntouched(tokens);
  }

  /** Malformed bodies of every kind: each gets a 4xx JSON error, never a 500 or a trace. */
  @ParameterizedTest
  @ValueSource(strings = {TOKEN, REFRESH_WM, INTROSPECT, INTROSPECT_WM, REVOKE, REVOKE_WM})
  void malformedBodiesNeverFailTheServer(String path) throws Exception {
    String field = tokenField(path);
    String grant = isTokenEndpoint(path) ? "\"grant_type\":\"refresh_token\"," : "";
    List<String[]> cases = List.of(
        new String[] {"application/json", "{\"" + field + "\":"},
        new String[] {"application/json", "[\"" + field + "\"]"},
        new String[] {"application/json", "{" + grant + "\"" + field + "\":123}"},
        new String[] {"application/json", "{" + grant + "\"" + field + "\":null}"},
        new String[] {"application/json", "{" + grant + "\"" + field + "\":{\"a\":1}}"},
        new String[] {"application/json", "{" + grant + "\"" + field + "\":\"" + "a".repeat(20_000) + "\"}"},
        new String[] {"application/x-www-form-urlencoded", field + "=%zz"},
        new String[] {"application/x-www-form-urlencoded", field + "=%C3%28"},
        new String[] {"application/x-www-form-urlencoded", field + "=a%00b"},
        new String[] {"text/plain", field + "=abc"},
        new String[] {";", field + "=abc"},
        new String[] {"application/json; charset=ISO-8859-1", "{\"" + field + "\":\"abc\"}"},
        new String[] {null, field + "=abc"});
    for (String[] c : cases) {
      HttpResponse<String> response = client.post(path, c[0], c[1], "Authorization", AUTH);
      String what = path + " " + c[0] + " " + c[1].substring(0, Math.min(c[1].length(), 60));
      assertTrue(response.statusCode() >= 400 && response.statusCode() < 500,
          () -> what + " -> " + response.statusCode() + " " + response.body());
      assertNotEquals(500, response.statusCode(), what);
      assertNoInternals(response.body());
      JsonObject json = OAuthClient.json(response);
      assertTrue(json.has("error") && json.has("error_description"), what + " -> " + response.body());
    }
    // Well-formed non-ASCII is merely a token nobody issued.
    String nonAscii = "{" + grant + "\"" + field + "\":\"t\u00e9st\u2603\"}";
    HttpResponse<String> unknown = client.postJson(path, nonAscii, "Authorization", AUTH);
    if (isTokenEndpoint(path)) {
      assertTokenError(unknown, 400, "invalid_grant");
    } else if (path.equals(INTROSPECT) || path.equals(INTROSPECT_WM)) {
      Grants.assertInactive(unknown);
    } else {
      assertEquals(200, unknown.statusCode(), unknown.body());
    }
    // Raw bytes that are no UTF-8 at all.
    HttpResponse<String> raw = client.http().send(HttpRequest.newBuilder(URI.create(client.url(path)))
        .header("Content-Type", "application/json").header("Authorization", AUTH)
        .POST(HttpRequest.BodyPublishers.ofByteArray(("{\"" + field + "\":\"\u00ff\"}")
            .getBytes(StandardCharsets.ISO_8859_1))).build(), HttpResponse.BodyHandlers.ofString());
    assertTokenError(raw, 400, "invalid_request");
  }
}
