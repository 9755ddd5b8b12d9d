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
 * {@code "pkceMethods": ["S256", "plain"]} opts legacy clients into {@code plain} (DESIGN 1.2); a
 * missing {@code code_challenge_method} then means plain (RFC 7636 §4.3) and is accepted too.
 */
class PlainPkceIT {

  static final String CLIENT = "legacy-app";
  static final String SECRET = "legacy-secret";
  static final String REDIRECT = "http://localhost:9100/cb";

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.empty()
      .set("enforcePkce", true)
      .pkceMethods("S256", "plain")
      .user(ConfigJson.USER, ConfigJson.PASSWORD)
      .client(ConfigJson.Client.confidential(CLIENT, SECRET, REDIRECT).name("Legacy").scopes("email")));
  static final OAuthClient client = new OAuthClient(server);

  static String code(String... pkce) throws Exception {
    Map<String, String> query = params("response_type", "code", "client_id", CLIENT, "redirect_uri", REDIRECT);
    query.putAll(params(pkce));
    return client.approve(query, ConfigJson.USER, ConfigJson.PASSWORD).get("code");
  }

  static HttpResponse<String> exchange(String code, String verifier) throws Exception {
    return client.postForm(TOKEN, params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REDIRECT, "code_verifier", verifier), "Authorization", basic(CLIENT, SECRET));
  }

  @Test
  void plainIsAcceptedAndVerified() throws Exception {
    String verifier = OAuthClient.newVerifier();
    HttpResponse<String> token = exchange(code("code_challenge", verifier, "code_challenge_method", "plain"), verifier);
    assertEquals(200, token.statusCode(), token.body());

    String other = code("code_challenge", verifier, "code_challenge_method", "plain");
    assertTokenError(exchange(other, OAuthClient.newVerifier()), 400, "invalid_grant");
  }

  @Test
  void missingMethodMeansPlainAndIsAccepted() throws Exception {
    String verifier = OAuthClient.newVerifier();
    HttpResponse<String> token = exchange(code("code_challenge", verifier), verifier);
    assertEquals(200, token.statusCode(), token.body());
  }

  @Test
  void aPlainChallengeIsNotAnS256One() throws Exception {
    // The S256 challenge sent as plain: the verifier does not equal it, so the exchange fails.
    String verifier = OAuthClient.newVerifier();
    String code = code("code_challenge", OAuthClient.challenge(verifier) + "0000", "code_challenge_method", "plain");
    assertTokenError(exchange(code, verifier), 400, "invalid_grant");
  }

  @Test
  void s256StillWorks() throws Exception {
    String verifier = OAuthClient.newVerifier();
    HttpResponse<String> token = exchange(
        code("code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"), verifier);
    assertEquals(200, token.statusCode(), token.body());
  }

  @Test
  void malformedPlainChallengeIsRefused() throws Exception {
    HttpResponse<String> response = client.get(OAuthClient.AUTHORIZE + "?" + OAuthClient.formEncode(params(
        "response_type", "code", "client_id", CLIENT, "redirect_uri", REDIRECT, "state", "s1",
        "code_challenge", "too-short", "code_challenge_method", "plain")));
    assertErrorRedirect(response, REDIRECT, "invalid_request", "s1");
  }
}
