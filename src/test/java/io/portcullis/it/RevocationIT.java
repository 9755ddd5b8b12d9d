package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.RESOURCE;
import static io.portcullis.it.ConfigJson.RESOURCE_SECRET;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.Grants.REVOKE;
import static io.portcullis.it.Grants.REVOKE_WM;
import static io.portcullis.it.ItAssertions.assertInvalidClient;
import static io.portcullis.it.ItAssertions.assertTokenError;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import io.portcullis.it.Grants.Tokens;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7009 revocation at {@code pub.apigateway.oauth2/revokeToken} and webMethods'
 * {@code pub.oauth/revokeToken}, over real HTTP: client-authenticated, 200 also for unknown
 * tokens, a revoked token refused by the filter at once, a refresh token taking its grant's access
 * tokens with it, and another client's token left alone.
 */
class RevocationIT {

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants());
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);

  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);
  static final Caller OTHER = Caller.confidential(CONFIDENTIAL, CONFIDENTIAL_SECRET, CONFIDENTIAL_REDIRECT);
  static final Caller RS = Caller.confidential(RESOURCE, RESOURCE_SECRET, null);

  /** RFC 7009 §2.2: 200, nothing in the body, not cached. */
  static void assertRevoked(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("", response.body());
    assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {REVOKE, REVOKE_WM})
  void aRevokedAccessTokenIsRefusedByTheFilterAtOnce(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    grants.assertPasses(tokens.access());
    assertRevoked(grants.revoke(path, APP, tokens.access(), "access_token"));
    grants.assertRefused(tokens.access());
    grants.assertInactive(APP, tokens.access());
    // Revoking it again is still a success.
    assertRevoked(grants.revoke(path, APP, tokens.access(), null));
  }

  @ParameterizedTest
  @ValueSource(strings = {REVOKE, REVOKE_WM})
  void anUnknownTokenIsRevokedWithoutComplaint(String path) throws Exception {
    assertRevoked(grants.revoke(path, APP, "0".repeat(64), null));
    assertRevoked(grants.revoke(path, APP, "no-such-token", "refreshToken"));
  }

  @ParameterizedTest
  @ValueSource(strings = {REVOKE, REVOKE_WM})
  void revokingARefreshTokenRevokesTheAccessTokensOfItsGrant(String path) throws Exception {
    Tokens first = grants.authorize(APP, "email profile");
    Tokens second = Grants.issued(grants.refresh(APP, first.refresh(), "email"));
    Tokens unrelated = grants.authorize(APP, "email");

    assertRevoked(grants.revoke(path, APP, second.refresh(), "refresh_token"));

    for (String access : List.of(first.access(), second.access())) {
      grants.assertRefused(access);
      grants.assertInactive(APP, access);
    }
    grants.assertInactive(APP, second.refresh());
    assertTokenError(grants.refresh(APP, second.refresh(), null), 400, "invalid_grant");
    // Another grant of the same client stays.
    grants.assertPasses(unrelated.access());
    Grants.issued(grants.refresh(APP, unrelated.refresh(), null));
  }

  @ParameterizedTest
  @ValueSource(strings = {REVOKE, REVOKE_WM})
  void theWebMethodsJsonBodyWithBasicWorks(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    JsonObject body = new JsonObject();
    body.addProperty("token", tokens.access());
    body.addProperty("token_type_hint", "accessToken");
    assertRevoked(client.postJson(path, body.toString(), "Authorization", basic(REFRESHING, REFRESHING_SECRET)));
    grants.assertRefused(tokens.access());
  }

  @Test
  void aWrongHintStillFindsTheToken() throws Exception {
    Tokens byAccessHint = grants.authorize(APP, "email");
    // The refresh token, hinted as an access token: the grant goes all the same.
    assertRevoked(grants.revoke(REVOKE_WM, APP, byAccessHint.refresh(), "accessToken"));
    grants.assertRefused(byAccessHint.access());
    assertTokenError(grants.refresh(APP, byAccessHint.refresh(), null), 400, "invalid_grant");

    Tokens byRefreshHint = grants.authorize(APP, "email");
    assertRevoked(grants.revoke(REVOKE, APP, byRefreshHint.access(), "refreshToken"));
    grants.assertRefused(byRefreshHint.access());
  }

  @Test
  void aClientCredentialsTokenCanBeRevoked() throws Exception {
    Caller service = Caller.confidential(SERVICE, SERVICE_SECRET, null);
    Tokens machine = Grants.issued(client.postForm(OAuthClient.TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET)));
    grants.assertPasses(machine.access());
    assertRevoked(grants.revoke(REVOKE, service, machine.access(), null));
    grants.assertRefused(machine.access());
  }

  @ParameterizedTest
  @ValueSource(strings = {REVOKE, REVOKE_WM})
  void anotherClientsTokenIsUnauthorizedClientAndStaysActive(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    assertTokenError(grants.revoke(path, OTHER, tokens.access(), null), 400, "unauthorized_client");
    assertTokenError(grants.revoke(path, OTHER, tokens.refresh(), "refresh_token"), 400, "unauthorized_client");
    // Not even a resource server revokes what it did not get (RFC 7009 §2.1).
    assertTokenError(grants.revoke(path, RS, tokens.access(), null), 400, "unauthorized_client");

    grants.assertPasses(tokens.access());
    assertTrue(grants.introspection(APP, tokens.access()).get("active").getAsBoolean());
    assertTrue(grants.introspection(APP, tokens.refresh()).get("active").getAsBoolean());
    Grants.issued(grants.refresh(APP, tokens.refresh(), null));
  }

  @ParameterizedTest
  @ValueSource(strings = {REVOKE, REVOKE_WM})
  void theCallerMustAuthenticate(String path) throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    assertInvalidClient(client.postForm(path, params("token", tokens.access())));
    assertInvalidClient(client.postForm(path, params("token", tokens.access()),
        "Authorization", basic(REFRESHING, "wrong-secret")));
    assertInvalidClient(client.postForm(path, params("token", tokens.access(), "client_id", REFRESHING)));
    // None of those touched the token.
    grants.assertPasses(tokens.access());
  }
}
