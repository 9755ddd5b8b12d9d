package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.PUBLIC_REFRESHING;
import static io.portcullis.it.ConfigJson.PUBLIC_REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.RESOURCE;
import static io.portcullis.it.ConfigJson.RESOURCE_SECRET;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.Grants.INTROSPECT;
import static io.portcullis.it.Grants.INTROSPECT_WM;
import static io.portcullis.it.Grants.assertInactive;
import static io.portcullis.it.ItAssertions.assertInvalidClient;
import static io.portcullis.it.ItAssertions.assertNoStore;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import io.portcullis.it.Grants.Tokens;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7662 introspection at {@code pub.apigateway.oauth2/introspectToken} and webMethods'
 * {@code pub.oauth/introspectToken}, over real HTTP: client-authenticated; a live token of the
 * caller is described, anything else is exactly {@code {"active":false}}; a resource server sees
 * every client's tokens.
 */
class IntrospectionIT {

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants());
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);

  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);
  static final Caller OTHER = Caller.confidential(CONFIDENTIAL, CONFIDENTIAL_SECRET, CONFIDENTIAL_REDIRECT);
  static final Caller SPA = Caller.publicClient(PUBLIC_REFRESHING, PUBLIC_REFRESHING_REDIRECT);
  static final Caller RS = Caller.confidential(RESOURCE, RESOURCE_SECRET, null);

  /** An active answer: exactly the RFC 7662 §2.2 members this server promises. */
  static JsonObject assertActive(HttpResponse<String> response, String clientId, String scope, String tokenType,
      long ttl) {
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertNoStore(response);
    JsonObject json = OAuthClient.json(response);
    assertEquals(Set.of("active", "scope", "client_id", "username", "token_type", "exp", "iat", "iss"),
        json.keySet(), response.body());
    assertTrue(json.get("active").getAsBoolean());
    assertEquals(scope, json.get("scope").getAsString());
    assertEquals(clientId, json.get("client_id").getAsString());
    assertEquals(USER, json.get("username").getAsString());
    assertEquals(tokenType, json.get("token_type").getAsString());
    long now = System.currentTimeMillis() / 1000;
    long iat = json.get("iat").getAsLong();
    assertTrue(Math.abs(now - iat) < 120, () -> "iat " + iat + " is not about now " + now);
    assertEquals(ttl, json.get("exp").getAsLong() - iat);
    // No issuer is configured: it is the URL the server was reached at.
    assertEquals(server.baseUrl(), json.get("iss").getAsString());
    return json;
  }

  @ParameterizedTest
  @ValueSource(strings = {INTROSPECT, INTROSPECT_WM})
  void anActiveAccessTokenIsDescribed(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email profile");
    assertActive(grants.introspect(path, APP, tokens.access(), null), REFRESHING, "email profile", "Bearer", 3600);
  }

  @ParameterizedTest
  @ValueSource(strings = {INTROSPECT, INTROSPECT_WM})
  void anActiveRefreshTokenIsDescribed(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    assertActive(grants.introspect(path, APP, tokens.refresh(), null), REFRESHING, "email", "refresh_token",
        ConfigJson.GLOBAL_REFRESH_TTL);
  }

  @ParameterizedTest
  @ValueSource(strings = {INTROSPECT, INTROSPECT_WM})
  void theWebMethodsJsonBodyWithBasicWorks(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    JsonObject body = new JsonObject();
    body.addProperty("token", tokens.access());
    body.addProperty("token_type_hint", "accessToken");
    assertActive(client.postJson(path, body.toString(), "Authorization", basic(REFRESHING, REFRESHING_SECRET)),
        REFRESHING, "email", "Bearer", 3600);
  }

  @ParameterizedTest
  @ValueSource(strings = {INTROSPECT, INTROSPECT_WM})
  void theCallerMustAuthenticate(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    assertInvalidClient(client.postForm(path, params("token", tokens.access())));
    assertInvalidClient(client.postForm(path, params("token", tokens.access()),
        "Authorization", basic(REFRESHING, "wrong-secret")));
    assertInvalidClient(client.postForm(path, params("token", tokens.access()),
        "Authorization", basic("nobody", "whatever")));
    // A confidential client cannot get by with its client_id alone.
    assertInvalidClient(client.postForm(path, params("token", tokens.access(), "client_id", REFRESHING)));
  }

  @ParameterizedTest
  @ValueSource(strings = {INTROSPECT, INTROSPECT_WM})
  void anUnknownTokenIsOnlyInactive(String path) throws Exception {
    assertInactive(grants.introspect(path, APP, "0".repeat(64), null));
    assertInactive(grants.introspect(path, APP, "not-even-hex", "refresh_token"));
  }

  @Test
  void aRevokedTokenIsOnlyInactive() throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    assertEquals(200, grants.revoke(Grants.REVOKE, APP, tokens.access(), null).statusCode());
    assertInactive(grants.introspect(INTROSPECT, APP, tokens.access(), null));
    assertInactive(grants.introspect(INTROSPECT_WM, APP, tokens.access(), "accessToken"));
  }

  @Test
  void aRotatedRefreshTokenIsOnlyInactive() throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    Tokens rotated = Grants.issued(grants.refresh(APP, tokens.refresh(), null));
    assertInactive(grants.introspect(INTROSPECT, APP, tokens.refresh(), "refresh_token"));
    assertInactive(grants.introspect(INTROSPECT_WM, APP, tokens.refresh(), null));
    // Rotation itself revokes nothing else.
    assertActive(grants.introspect(INTROSPECT, APP, rotated.refresh(), null), REFRESHING, "email",
        "refresh_token", ConfigJson.GLOBAL_REFRESH_TTL);
  }

  @ParameterizedTest
  @ValueSource(strings = {INTROSPECT, INTROSPECT_WM})
  void anotherClientsTokenIsOnlyInactive(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    assertInactive(grants.introspect(path, OTHER, tokens.access(), null));
    assertInactive(grants.introspect(path, OTHER, tokens.refresh(), "refresh_token"));
    assertInactive(grants.introspect(path, SPA, tokens.access(), null));
    // Looking did not harm the token.
    assertActive(grants.introspect(path, APP, tokens.access(), null), REFRESHING, "email", "Bearer", 3600);
  }

  @Test
  void everyHintSpellingIsAcceptedAndAWrongHintStillFindsTheToken() throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    for (String hint : List.of("access_token", "accessToken", "refresh_token", "refreshToken", "unknown_kind")) {
      assertActive(grants.introspect(INTROSPECT, APP, tokens.access(), hint), REFRESHING, "email", "Bearer", 3600);
      assertActive(grants.introspect(INTROSPECT_WM, APP, tokens.refresh(), hint), REFRESHING, "email",
          "refresh_token", ConfigJson.GLOBAL_REFRESH_TTL);
    }
  }

  @Test
  void aPublicClientIntrospectsItsOwnTokensWithItsClientIdAlone() throws Exception {
    Tokens tokens = grants.authorize(SPA, "email");
    assertActive(grants.introspect(INTROSPECT, SPA, tokens.access(), null), PUBLIC_REFRESHING, "email", "Bearer",
        3600);
  }

  @ParameterizedTest
  @ValueSource(strings = {INTROSPECT, INTROSPECT_WM})
  void aResourceServerMayIntrospectEveryClientsAccessTokens(String path) throws Exception {
    Tokens app = grants.authorize(APP, "email profile");
    Tokens other = grants.authorize(OTHER, "admin");
    assertActive(grants.introspect(path, RS, app.access(), null), REFRESHING, "email profile", "Bearer", 3600);
    // A refresh token is never a bearer token: only its own client learns it is active.
    assertInactive(grants.introspect(path, RS, app.refresh(), "refreshToken"));
    assertActive(grants.introspect(path, APP, app.refresh(), "refreshToken"), REFRESHING, "email profile",
        "refresh_token", ConfigJson.GLOBAL_REFRESH_TTL);
    assertActive(grants.introspect(path, RS, other.access(), null), CONFIDENTIAL, "admin", "Bearer", 3600);
    Tokens machine = Grants.issued(client.postForm(OAuthClient.TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET)));
    JsonObject answer = grants.introspection(RS, machine.access());
    assertTrue(answer.get("active").getAsBoolean(), answer.toString());
    assertEquals(SERVICE, answer.get("client_id").getAsString());
    // ...but sees nothing that does not exist.
    assertInactive(grants.introspect(path, RS, "0".repeat(64), null));
  }
}
