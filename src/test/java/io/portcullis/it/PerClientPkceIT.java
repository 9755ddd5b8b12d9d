package io.portcullis.it;

import static io.portcullis.it.ItAssertions.assertErrorRedirect;
import static io.portcullis.it.ItAssertions.assertTokenError;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PKCE enforced per application, not globally (the seed's "global level or application level";
 * DESIGN 1.2): a client without enforcement may go without a challenge, but a challenge it sends
 * anyway is verified at the token endpoint.
 */
class PerClientPkceIT {

  static final String STRICT = "strict-app";
  static final String LAX = "lax-app";
  static final String SECRET = "per-client-secret";
  static final String STRICT_REDIRECT = "http://localhost:9200/strict";
  static final String LAX_REDIRECT = "http://localhost:9200/lax";

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.empty()
      .set("enforcePkce", false)
      .user(ConfigJson.USER, ConfigJson.PASSWORD)
      .client(ConfigJson.Client.confidential(STRICT, SECRET, STRICT_REDIRECT).scopes("email").enforcePkce(true))
      .client(ConfigJson.Client.confidential(LAX, SECRET, LAX_REDIRECT).scopes("email").accessTokenTtlSeconds(120)));
  static final OAuthClient client = new OAuthClient(server);

  static Map<String, String> query(String clientId, String redirectUri, String... more) {
    Map<String, String> query = params("response_type", "code", "client_id", clientId,
        "redirect_uri", redirectUri, "state", "s-1");
    query.putAll(params(more));
    return query;
  }

  static HttpResponse<String> exchange(String clientId, String redirectUri, String code, String verifier)
      throws Exception {
    Map<String, String> body = params("grant_type", "authorization_code", "code", code, "redirect_uri", redirectUri);
    if (verifier != null) {
      body.put("code_verifier", verifier);
    }
    return client.postForm(TOKEN, body, "Authorization", basic(clientId, SECRET));
  }

  @Test
  void theEnforcingClientNeedsAChallenge() throws Exception {
    HttpResponse<String> response = client.get(OAuthClient.AUTHORIZE + "?"
        + OAuthClient.formEncode(query(STRICT, STRICT_REDIRECT)));
    assertErrorRedirect(response, STRICT_REDIRECT, "invalid_request", "s-1");
  }

  @Test
  void theEnforcingClientWorksWithOne() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = client.approve(query(STRICT, STRICT_REDIRECT, "code_challenge", OAuthClient.challenge(verifier),
        "code_challenge_method", "S256"), ConfigJson.USER, ConfigJson.PASSWORD).get("code");
    HttpResponse<String> token = exchange(STRICT, STRICT_REDIRECT, code, verifier);
    assertEquals(200, token.statusCode(), token.body());
    assertEquals(3600, OAuthClient.json(token).get("expires_in").getAsInt());
  }

  @Test
  void theOtherClientMayGoWithoutAChallenge() throws Exception {
    String code = client.approve(query(LAX, LAX_REDIRECT), ConfigJson.USER, ConfigJson.PASSWORD).get("code");
    HttpResponse<String> token = exchange(LAX, LAX_REDIRECT, code, null);
    assertEquals(200, token.statusCode(), token.body());
    assertEquals("email", OAuthClient.json(token).get("scope").getAsString());
    // This client's own accessTokenTtlSeconds, not the global default.
    assertEquals(120, OAuthClient.json(token).get("expires_in").getAsInt());
  }

  @Test
  void aVerifierForACodeIssuedWithoutAChallengeIsRefused() throws Exception {
    // RFC 9700 §2.1.1: a verifier where no challenge was sent hints at a PKCE downgrade.
    String code = client.approve(query(LAX, LAX_REDIRECT), ConfigJson.USER, ConfigJson.PASSWORD).get("code");
    assertTokenError(exchange(LAX, LAX_REDIRECT, code, OAuthClient.newVerifier()), 400, "invalid_grant");
  }

  @Test
  void aChallengeSentVoluntarilyIsVerified() throws Exception {
    String verifier = OAuthClient.newVerifier();
    Map<String, String> withChallenge = query(LAX, LAX_REDIRECT,
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256");

    String missing = client.approve(withChallenge, ConfigJson.USER, ConfigJson.PASSWORD).get("code");
    assertTokenError(exchange(LAX, LAX_REDIRECT, missing, null), 400, "invalid_grant");

    String wrong = client.approve(withChallenge, ConfigJson.USER, ConfigJson.PASSWORD).get("code");
    assertTokenError(exchange(LAX, LAX_REDIRECT, wrong, OAuthClient.newVerifier()), 400, "invalid_grant");

    String right = client.approve(withChallenge, ConfigJson.USER, ConfigJson.PASSWORD).get("code");
    HttpResponse<String> token = exchange(LAX, LAX_REDIRECT, right, verifier);
    assertEquals(200, token.statusCode(), token.body());
  }

  @Test
  void aVoluntaryChallengeMustStillBeS256() throws Exception {
    String verifier = OAuthClient.newVerifier();
    HttpResponse<String> plain = client.get(OAuthClient.AUTHORIZE + "?" + OAuthClient.formEncode(
        query(LAX, LAX_REDIRECT, "code_challenge", verifier, "code_challenge_method", "plain")));
    assertErrorRedirect(plain, LAX_REDIRECT, "invalid_request", "s-1");
    HttpResponse<String> malformed = client.get(OAuthClient.AUTHORIZE + "?" + OAuthClient.formEncode(
        query(LAX, LAX_REDIRECT, "code_challenge", "short", "code_challenge_method", "S256")));
    assertErrorRedirect(malformed, LAX_REDIRECT, "invalid_request", "s-1");
  }
}
