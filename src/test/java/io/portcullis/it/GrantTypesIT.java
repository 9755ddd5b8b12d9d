package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.PUBLIC;
import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.ItAssertions.assertInvalidClient;
import static io.portcullis.it.ItAssertions.assertTokenError;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import io.portcullis.it.Grants.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-client {@code grantTypes} and the client-credentials grant (RFC 6749 §4.4) over real HTTP:
 * a grant a client may not use is {@code unauthorized_client}; client credentials are for
 * confidential clients only, answer JSON or form bodies, and never come with a refresh token.
 */
class GrantTypesIT {

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants());
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);

  static final Caller CONFIDENTIAL_APP = Caller.confidential(CONFIDENTIAL, CONFIDENTIAL_SECRET, CONFIDENTIAL_REDIRECT);
  static final Caller REFRESHING_APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);

  @TempDir Path configDir;

  // ---- grantTypes per client ----

  @Test
  void withoutGrantTypesAClientMayUseTheAuthorizationCodeAlone() throws Exception {
    // The standard client lists no grantTypes: its codes work, and it gets no refresh token.
    Tokens tokens = grants.authorize(CONFIDENTIAL_APP, "email");
    assertNull(tokens.refresh(), "no refresh token for a client not allowed the refresh_token grant");
    grants.assertPasses(tokens.access());

    assertTokenError(client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), 400, "unauthorized_client");
    assertTokenError(client.postForm(TOKEN, params("grant_type", "refresh_token", "refresh_token", "f".repeat(64)),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), 400, "unauthorized_client");
  }

  @Test
  void aClientWithoutTheAuthorizationCodeGrantCannotRedeemCodes() throws Exception {
    assertTokenError(client.postForm(TOKEN, params("grant_type", "authorization_code", "code", "0".repeat(40),
            "code_verifier", OAuthClient.newVerifier()), "Authorization", basic(SERVICE, SERVICE_SECRET)),
        400, "unauthorized_client");
  }

  @Test
  void aRefreshingClientMayNotUseClientCredentials() throws Exception {
    assertTokenError(client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(REFRESHING, REFRESHING_SECRET)), 400, "unauthorized_client");
  }

  @Test
  void aPublicClientAskingForClientCredentialsIsUnauthorizedClient() throws Exception {
    assertTokenError(client.postForm(TOKEN, params("grant_type", "client_credentials", "client_id", PUBLIC)),
        400, "unauthorized_client");
  }

  @Test
  void grantTypesNobodyOffersAreUnsupported() throws Exception {
    for (String grantType : new String[] {"password", "implicit", "urn:ietf:params:oauth:grant-type:device_code"}) {
      assertTokenError(client.postForm(TOKEN, params("grant_type", grantType, "username", "u", "password", "p"),
          "Authorization", basic(SERVICE, SERVICE_SECRET)), 400, "unsupported_grant_type");
    }
  }

  @Test
  void theClientMustAuthenticateBeforeItsGrantTypeIsJudged() throws Exception {
    assertInvalidClient(client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, "wrong-secret")));
    assertInvalidClient(client.postForm(TOKEN, params("grant_type", "client_credentials", "client_id", SERVICE)));
  }

  // ---- client credentials ----

  @Test
  void clientCredentialsWithFormAndBasic() throws Exception {
    HttpResponse<String> response = client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET));
    Tokens tokens = Grants.issued(response);
    JsonObject json = OAuthClient.json(response);
    assertFalse(json.has("refresh_token"), response.body());
    assertEquals(3600, json.get("expires_in").getAsInt());
    // No scope asked: everything the client may have.
    assertEquals("email profile", tokens.scope());
    assertMachineCaller(grants.assertPasses(tokens.access()));
  }

  @Test
  void clientCredentialsWithTheWebMethodsJsonBody() throws Exception {
    JsonObject body = new JsonObject();
    body.addProperty("grant_type", "client_credentials");
    body.addProperty("client_id", SERVICE);
    body.addProperty("client_secret", SERVICE_SECRET);
    HttpResponse<String> response = client.postJson(TOKEN, body.toString());
    Tokens tokens = Grants.issued(response);
    assertFalse(OAuthClient.json(response).has("refresh_token"), response.body());
    assertMachineCaller(grants.assertPasses(tokens.access()));
  }

  @Test
  void clientCredentialsWithClientSecretInAFormBody() throws Exception {
    HttpResponse<String> response = client.postForm(TOKEN, params("grant_type", "client_credentials",
        "client_id", SERVICE, "client_secret", SERVICE_SECRET));
    assertNull(Grants.issued(response).refresh());
  }

  @Test
  void clientCredentialsScopeMayNarrowButNotWiden() throws Exception {
    Tokens narrowed = Grants.issued(client.postForm(TOKEN, params("grant_type", "client_credentials", "scope", "profile"),
        "Authorization", basic(SERVICE, SERVICE_SECRET)));
    assertEquals("profile", narrowed.scope());
    // /api/* needs email, which this token does not hold.
    HttpResponse<String> api = grants.route("/api/orders", narrowed.access());
    assertEquals(403, api.statusCode(), api.body());

    assertTokenError(client.postForm(TOKEN, params("grant_type", "client_credentials", "scope", "email admin"),
        "Authorization", basic(SERVICE, SERVICE_SECRET)), 400, "invalid_scope");
  }

  @Test
  void introspectedClientCredentialsTokenHasAClientAndNoUser() throws Exception {
    Tokens tokens = Grants.issued(client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET)));
    JsonObject answer = grants.introspection(Caller.confidential(SERVICE, SERVICE_SECRET, null), tokens.access());
    assertTrue(answer.get("active").getAsBoolean(), answer.toString());
    assertEquals(SERVICE, answer.get("client_id").getAsString());
    assertEquals("email profile", answer.get("scope").getAsString());
    assertFalse(answer.has("username"), answer.toString());
  }

  /** The route echo of a client-credentials token: the client, and JSON null for the user. */
  private static void assertMachineCaller(JsonObject echo) {
    assertEquals(SERVICE, echo.get("client_id").getAsString(), echo.toString());
    assertTrue(echo.has("username") && echo.get("username").isJsonNull(), echo.toString());
  }

  // ---- config ----

  @Test
  void aPublicClientCannotBeConfiguredWithClientCredentials() throws Exception {
    Path config = ConfigJson.empty()
        .user(ConfigJson.USER, ConfigJson.PASSWORD)
        .client(ConfigJson.Client.publicClient("spa", "https://spa.example.com/cb").scopes("email")
            .grantTypes("authorization_code", "client_credentials"))
        .write(configDir, "public-client-credentials.json");
    StartupIT.Failure failure = StartupIT.startFails(config);
    assertTrue(failure.message().contains("clients[0].grantTypes[1]"), failure.message());
    assertTrue(failure.message().contains("client_credentials"), failure.message());
    assertTrue(failure.message().contains(config.toString()), failure.message());
  }

  @Test
  void anUnknownGrantTypeInTheConfigStopsTheStart() throws Exception {
    Path config = ConfigJson.empty()
        .user(ConfigJson.USER, ConfigJson.PASSWORD)
        .client(ConfigJson.Client.confidential("app", "secret", "http://localhost:9000/cb").scopes("email")
            .grantTypes("authorization_code", "password"))
        .write(configDir, "password-grant.json");
    StartupIT.Failure failure = StartupIT.startFails(config);
    assertTrue(failure.message().contains("clients[0].grantTypes[1]"), failure.message());
    assertTrue(failure.message().contains("password"), failure.message());
  }
}
