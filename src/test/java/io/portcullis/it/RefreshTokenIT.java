package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.GLOBAL_REFRESH_TTL;
import static io.portcullis.it.ConfigJson.PUBLIC_REFRESHING;
import static io.portcullis.it.ConfigJson.PUBLIC_REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.SHORT_REFRESH;
import static io.portcullis.it.ConfigJson.SHORT_REFRESH_REDIRECT;
import static io.portcullis.it.ConfigJson.SHORT_REFRESH_SECRET;
import static io.portcullis.it.ConfigJson.SHORT_REFRESH_TTL;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.Grants.REFRESH_WM;
import static io.portcullis.it.ItAssertions.assertInvalidClient;
import static io.portcullis.it.ItAssertions.assertTokenError;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import io.portcullis.it.Grants.Tokens;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refresh tokens over real HTTP (RFC 6749 §6, RFC 9700 §4.14.2): issued only to clients allowed
 * the grant, rotated at every use, a rotated one presented again revokes the whole grant, scope
 * narrows but never widens, and webMethods' {@code pub.oauth/refreshAccessToken} answers too.
 */
class RefreshTokenIT {

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants());
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);

  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);
  static final Caller SHORT = Caller.confidential(SHORT_REFRESH, SHORT_REFRESH_SECRET, SHORT_REFRESH_REDIRECT);
  static final Caller SPA = Caller.publicClient(PUBLIC_REFRESHING, PUBLIC_REFRESHING_REDIRECT);

  @Test
  void aRefreshTokenComesOnlyToClientsAllowedTheGrant() throws Exception {
    assertNotNull(grants.authorize(APP, "email").refresh(), "refreshing-app may refresh");
    assertNull(grants.authorize(Caller.confidential(CONFIDENTIAL, CONFIDENTIAL_SECRET, CONFIDENTIAL_REDIRECT),
        "email").refresh(), "confidential-app lists no refresh_token grant");
  }

  @Test
  void eachRefreshRotatesTheRefreshTokenAndIssuesAWorkingAccessToken() throws Exception {
    Tokens first = grants.authorize(APP, "email profile");
    Tokens second = Grants.issued(grants.refresh(APP, first.refresh(), null));
    assertNotEquals(first.access(), second.access());
    assertNotEquals(first.refresh(), second.refresh());
    assertEquals("email profile", second.scope());
    JsonObject echo = grants.assertPasses(second.access());
    assertEquals(REFRESHING, echo.get("client_id").getAsString());
    assertEquals(USER, echo.get("username").getAsString(), "the refreshed token still acts for the user");

    // The new refresh token works once more; the spent one is refused.
    Tokens third = Grants.issued(grants.refresh(APP, second.refresh(), null));
    grants.assertPasses(third.access());
  }

  @Test
  void aPublicClientRefreshesWithItsClientIdAlone() throws Exception {
    Tokens first = grants.authorize(SPA, "email");
    assertNotNull(first.refresh());
    Tokens second = Grants.issued(grants.refresh(SPA, first.refresh(), null));
    assertNotNull(second.refresh());
    grants.assertPasses(second.access());
  }

  @Test
  void scopeMayNarrowButNeverWiden() throws Exception {
    Tokens first = grants.authorize(APP, "email profile");
    Tokens narrowed = Grants.issued(grants.refresh(APP, first.refresh(), "email"));
    assertEquals("email", narrowed.scope());
    assertEquals(200, grants.route("/api/orders", narrowed.access()).statusCode());
    assertEquals(403, grants.route("/reports", narrowed.access()).statusCode(), "profile was narrowed away");
    // The refresh token keeps the grant's whole scope (RFC 6749 §6): profile can come back.
    Tokens again = Grants.issued(grants.refresh(APP, narrowed.refresh(), "profile email"));
    assertEquals("email profile", again.scope());

    // admin is allowed to the client, but the user did not grant it.
    assertTokenError(grants.refresh(APP, again.refresh(), "email admin"), 400, "invalid_scope");
  }

  @Test
  void aWideningRequestDoesNotSpendTheRefreshToken() throws Exception {
    Tokens first = grants.authorize(APP, "email");
    assertTokenError(grants.refresh(APP, first.refresh(), "profile"), 400, "invalid_scope");
    // The refused request changed nothing: the same refresh token still works, and no grant was
    // revoked as if it had been replayed.
    Tokens second = Grants.issued(grants.refresh(APP, first.refresh(), null));
    grants.assertPasses(first.access());
    grants.assertPasses(second.access());
  }

  @Test
  void refreshTokensLiveTheGlobalTtlOrTheClientsOwn() throws Exception {
    Tokens global = grants.authorize(APP, "email");
    JsonObject globalAnswer = grants.introspection(APP, global.refresh());
    assertEquals("refresh_token", globalAnswer.get("token_type").getAsString());
    assertEquals(GLOBAL_REFRESH_TTL, globalAnswer.get("exp").getAsLong() - globalAnswer.get("iat").getAsLong());

    Tokens own = grants.authorize(SHORT, "email");
    JsonObject ownAnswer = grants.introspection(SHORT, own.refresh());
    assertEquals(SHORT_REFRESH_TTL, ownAnswer.get("exp").getAsLong() - ownAnswer.get("iat").getAsLong());
    // The access token keeps the access-token lifetime.
    JsonObject access = grants.introspection(SHORT, own.access());
    assertEquals(3600, access.get("exp").getAsLong() - access.get("iat").getAsLong());

    // A rotated refresh token gets a full lifetime of its own.
    Tokens rotated = Grants.issued(grants.refresh(SHORT, own.refresh(), null));
    JsonObject rotatedAnswer = grants.introspection(SHORT, rotated.refresh());
    assertEquals(SHORT_REFRESH_TTL, rotatedAnswer.get("exp").getAsLong() - rotatedAnswer.get("iat").getAsLong());
  }

  @Test
  void anotherClientsRefreshTokenIsInvalidGrantAndIsNotSpent() throws Exception {
    Tokens owned = grants.authorize(APP, "email");
    assertTokenError(grants.refresh(SHORT, owned.refresh(), null), 400, "invalid_grant");
    assertTokenError(grants.refresh(SHORT, owned.refresh(), null), 400, "invalid_grant");
    // The owner's token is untouched: its grant is alive and the refresh token still rotates.
    grants.assertPasses(owned.access());
    Tokens refreshed = Grants.issued(grants.refresh(APP, owned.refresh(), null));
    grants.assertPasses(refreshed.access());
  }

  @Test
  void anotherClientReplayingASpentRefreshTokenDoesNotRevokeTheOwnersGrant() throws Exception {
    Tokens owned = grants.authorize(APP, "email");
    Tokens refreshed = Grants.issued(grants.refresh(APP, owned.refresh(), null));
    assertTokenError(grants.refresh(SHORT, owned.refresh(), null), 400, "invalid_grant");
    grants.assertPasses(refreshed.access());
    Grants.issued(grants.refresh(APP, refreshed.refresh(), null));
  }

  @Test
  void unknownOrMissingRefreshTokens() throws Exception {
    assertTokenError(grants.refresh(APP, "0".repeat(64), null), 400, "invalid_grant");
    assertTokenError(client.postForm(TOKEN, params("grant_type", "refresh_token"),
        "Authorization", basic(REFRESHING, REFRESHING_SECRET)), 400, "invalid_request");
    assertInvalidClient(grants.refresh(Caller.confidential(REFRESHING, "wrong", null), "0".repeat(64), null));
  }

  @Test
  void anAccessTokenIsNoRefreshTokenAndARefreshTokenIsNoAccessToken() throws Exception {
    Tokens tokens = grants.authorize(APP, "email");
    assertTokenError(grants.refresh(APP, tokens.access(), null), 400, "invalid_grant");
    grants.assertRefused(tokens.refresh());
    // Neither mistake cost the client anything.
    grants.assertPasses(tokens.access());
    Grants.issued(grants.refresh(APP, tokens.refresh(), null));
  }

  @Test
  void aReusedAuthorizationCodeRevokesTheRefreshTokensOfItsGrantToo() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = client.approve(params("response_type", "code", "client_id", REFRESHING,
        "redirect_uri", REFRESHING_REDIRECT, "scope", "email",
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"),
        USER, ConfigJson.PASSWORD).get("code");
    Map<String, String> exchange = params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REFRESHING_REDIRECT, "code_verifier", verifier);
    Tokens issued = Grants.issued(client.postForm(TOKEN, exchange, "Authorization", basic(REFRESHING, REFRESHING_SECRET)));
    Tokens refreshed = Grants.issued(grants.refresh(APP, issued.refresh(), null));

    assertTokenError(client.postForm(TOKEN, exchange, "Authorization", basic(REFRESHING, REFRESHING_SECRET)),
        400, "invalid_grant");

    grants.assertRefused(refreshed.access());
    grants.assertInactive(APP, refreshed.refresh());
    assertTokenError(grants.refresh(APP, refreshed.refresh(), null), 400, "invalid_grant");
  }

  // ---- webMethods' pub.oauth/refreshAccessToken ----

  @Test
  void refreshAccessTokenTakesTheWebMethodsJsonBodyWithBasic() throws Exception {
    Tokens first = grants.authorize(APP, "email profile");
    JsonObject body = new JsonObject();
    body.addProperty("grant_type", "refresh_token");
    body.addProperty("refresh_token", first.refresh());
    HttpResponse<String> response = client.postJson(REFRESH_WM, body.toString(),
        "Authorization", basic(REFRESHING, REFRESHING_SECRET));
    Tokens second = Grants.issued(response);
    assertNotNull(second.refresh());
    assertEquals("email profile", second.scope());
    grants.assertPasses(second.access());
    // It rotated: the first refresh token is spent, so presenting it again revokes the grant.
    assertTokenError(client.postJson(REFRESH_WM, body.toString(), "Authorization", basic(REFRESHING, REFRESHING_SECRET)),
        400, "invalid_grant");
    grants.assertRefused(second.access());
  }

  @Test
  void refreshAccessTokenOffersNoOtherGrant() throws Exception {
    for (String grantType : List.of("authorization_code", "client_credentials", "password")) {
      JsonObject body = new JsonObject();
      body.addProperty("grant_type", grantType);
      body.addProperty("code", "0".repeat(40));
      assertTokenError(client.postJson(REFRESH_WM, body.toString(),
          "Authorization", basic(REFRESHING, REFRESHING_SECRET)), 400, "unsupported_grant_type");
    }
  }

  // ---- the whole grant, walked through ----

  @Test
  void reusingARotatedRefreshTokenRevokesEveryTokenOfTheGrantEverywhere() throws Exception {
    Tokens issued = grants.authorize(APP, "email profile");
    Tokens bystander = grants.authorize(APP, "email");
    Tokens refreshed = Grants.issued(grants.refresh(APP, issued.refresh(), null));
    Tokens refreshedAgain = Grants.issued(grants.refresh(APP, refreshed.refresh(), "email"));
    for (Tokens t : List.of(issued, refreshed, refreshedAgain)) {
      grants.assertPasses(t.access());
    }

    // The first refresh token was rotated away; someone presents it again.
    assertTokenError(grants.refresh(APP, issued.refresh(), null), 400, "invalid_grant");

    for (Tokens t : List.of(issued, refreshed, refreshedAgain)) {
      grants.assertRefused(t.access());
      grants.assertInactive(APP, t.access());
      grants.assertInactive(APP, t.refresh());
      Grants.assertInactive(grants.introspect(Grants.INTROSPECT_WM, APP, t.refresh(), "refreshToken"));
    }
    // Not even the newest refresh token, never used before, buys a token any more.
    assertTokenError(grants.refresh(APP, refreshedAgain.refresh(), null), 400, "invalid_grant");
    assertTokenError(grants.refresh(APP, refreshed.refresh(), null), 400, "invalid_grant");

    // Another grant of the same client and user is not touched.
    grants.assertPasses(bystander.access());
    Grants.issued(grants.refresh(APP, bystander.refresh(), null));
    assertTrue(grants.introspection(APP, bystander.access()).get("active").getAsBoolean());
  }
}
