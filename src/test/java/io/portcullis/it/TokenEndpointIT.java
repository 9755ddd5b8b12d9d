package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_OTHER_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.MARKUP;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.PUBLIC;
import static io.portcullis.it.ConfigJson.PUBLIC_REDIRECT;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.ItAssertions.assertInvalidClient;
import static io.portcullis.it.ItAssertions.assertNoStore;
import static io.portcullis.it.ItAssertions.assertTokenError;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /invoke/pub.apigateway.oauth2/getAccessToken} over real HTTP (DESIGN 1.4, RFC 6749 §4.1.3, §5). */
class TokenEndpointIT {

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.standard());
  static final OAuthClient client = new OAuthClient(server);

  /** A fresh code for the client, through the approval page, with an S256 challenge of the verifier. */
  static String code(String clientId, String redirectUri, String scope, String verifier) throws Exception {
    Map<String, String> query = params("response_type", "code", "client_id", clientId, "state", "xyz");
    if (redirectUri != null) {
      query.put("redirect_uri", redirectUri);
    }
    if (scope != null) {
      query.put("scope", scope);
    }
    query.put("code_challenge", OAuthClient.challenge(verifier));
    query.put("code_challenge_method", "S256");
    Map<String, String> redirect = client.approve(query, USER, PASSWORD);
    assertEquals("xyz", redirect.get("state"));
    return redirect.get("code");
  }

  static Map<String, String> grant(String code, String redirectUri, String verifier) {
    return params("grant_type", "authorization_code", "code", code,
        "redirect_uri", redirectUri, "code_verifier", verifier);
  }

  static String json(Map<String, String> fields) {
    JsonObject object = new JsonObject();
    fields.forEach(object::addProperty);
    return object.toString();
  }

  /** A 200 token response (RFC 6749 §5.1), returning the access token. */
  static String assertIssued(HttpResponse<String> response, String scope) {
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertNoStore(response);
    JsonObject json = OAuthClient.json(response);
    String token = json.get("access_token").getAsString();
    assertTrue(token.matches("[0-9a-f]{64}"), token);
    assertEquals("Bearer", json.get("token_type").getAsString());
    assertEquals(3600, json.get("expires_in").getAsInt());
    assertEquals(scope, json.get("scope").getAsString());
    return token;
  }

  static HttpResponse<String> route(String path, String token) throws Exception {
    return client.get(path, "Authorization", "Bearer " + token);
  }

  // ---- body formats and client authentication ----

  @Test
  void formBodyWithHttpBasic() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    HttpResponse<String> response = client.postForm(TOKEN, grant(code, CONFIDENTIAL_REDIRECT, verifier),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET));
    String token = assertIssued(response, "email");
    HttpResponse<String> api = route("/api/orders", token);
    assertEquals(200, api.statusCode(), api.body());
    assertEquals(CONFIDENTIAL, OAuthClient.json(api).get("client_id").getAsString());
  }

  @Test
  void jsonBodyWithClientSecretInTheBody() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email profile", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.put("client_id", CONFIDENTIAL);
    body.put("client_secret", CONFIDENTIAL_SECRET);
    assertIssued(client.postJson(TOKEN, json(body)), "email profile");
  }

  @Test
  void formBodyWithClientSecretInTheBody() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.put("client_id", CONFIDENTIAL);
    body.put("client_secret", CONFIDENTIAL_SECRET);
    assertIssued(client.postForm(TOKEN, body), "email");
  }

  @Test
  void jsonBodyWithHttpBasicAndMatchingClientIdInTheBody() throws Exception {
    // The seed's way: Basic, and the same client_id repeated in the JSON body.
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.put("client_id", CONFIDENTIAL);
    body.put("scope", "email");
    assertIssued(client.postJson(TOKEN, json(body), "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), "email");
  }

  @Test
  void publicClientWithClientIdAloneAndPkce() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(PUBLIC, PUBLIC_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, PUBLIC_REDIRECT, verifier);
    body.put("client_id", PUBLIC);
    String token = assertIssued(client.postForm(TOKEN, body), "email");
    assertEquals(PUBLIC, OAuthClient.json(route("/api/x", token)).get("client_id").getAsString());
  }

  @Test
  void publicClientWithJsonBody() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(PUBLIC, PUBLIC_REDIRECT, "profile", verifier);
    Map<String, String> body = grant(code, PUBLIC_REDIRECT, verifier);
    body.put("client_id", PUBLIC);
    assertIssued(client.postJson(TOKEN, json(body)), "profile");
  }

  @Test
  void publicClientPresentingASecretIsInvalidClient() throws Exception {
    Map<String, String> body = grant("0".repeat(40), PUBLIC_REDIRECT, OAuthClient.newVerifier());
    body.put("client_id", PUBLIC);
    body.put("client_secret", "anything");
    assertInvalidClient(client.postForm(TOKEN, body));
  }

  @Test
  void confidentialClientWithClientIdAloneIsInvalidClient() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.put("client_id", CONFIDENTIAL);
    assertInvalidClient(client.postForm(TOKEN, body));
  }

  @Test
  void twoAuthenticationMethodsAtOnceIsInvalidRequestAndDoesNotSpendTheCode() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> both = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    both.put("client_id", CONFIDENTIAL);
    both.put("client_secret", CONFIDENTIAL_SECRET);
    assertTokenError(client.postForm(TOKEN, both, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_request");
    // The refused request changed nothing: the code still works once.
    assertIssued(client.postForm(TOKEN, grant(code, CONFIDENTIAL_REDIRECT, verifier),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), "email");
  }

  @Test
  void bodyClientIdDisagreeingWithBasicIsInvalidRequest() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.put("client_id", PUBLIC);
    assertTokenError(client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_request");
    assertTokenError(client.postJson(TOKEN, json(body), "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_request");
  }

  @Test
  void wrongSecretWithBasicIsInvalidClientWithBasicChallenge() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    assertInvalidClient(client.postForm(TOKEN, grant(code, CONFIDENTIAL_REDIRECT, verifier),
        "Authorization", basic(CONFIDENTIAL, "not-the-secret")));
    // The client failed to authenticate, so the code was not touched.
    assertIssued(client.postForm(TOKEN, grant(code, CONFIDENTIAL_REDIRECT, verifier),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), "email");
  }

  @Test
  void wrongSecretInTheBodyIsInvalidClient() throws Exception {
    Map<String, String> body = grant("0".repeat(40), CONFIDENTIAL_REDIRECT, OAuthClient.newVerifier());
    body.put("client_id", CONFIDENTIAL);
    body.put("client_secret", "not-the-secret");
    assertInvalidClient(client.postForm(TOKEN, body));
    assertInvalidClient(client.postJson(TOKEN, json(body)));
  }

  @Test
  void unknownClientIsInvalidClient() throws Exception {
    Map<String, String> body = grant("0".repeat(40), CONFIDENTIAL_REDIRECT, OAuthClient.newVerifier());
    assertInvalidClient(client.postForm(TOKEN, body, "Authorization", basic("no-such-client", "whatever")));
    body.put("client_id", "no-such-client");
    body.put("client_secret", "whatever");
    assertInvalidClient(client.postForm(TOKEN, body));
  }

  @Test
  void noClientAuthenticationAtAllIsInvalidClient() throws Exception {
    assertInvalidClient(client.postForm(TOKEN,
        grant("0".repeat(40), CONFIDENTIAL_REDIRECT, OAuthClient.newVerifier())));
  }

  @Test
  void getIsMethodNotAllowed() throws Exception {
    HttpResponse<String> response = client.get(TOKEN + "?grant_type=authorization_code&code=abc");
    assertTokenError(response, 405, "invalid_request");
    assertEquals("POST", response.headers().firstValue("Allow").orElse(""));
    HttpResponse<String> put = client.http().send(HttpRequest.newBuilder(URI.create(server.url(TOKEN)))
        .PUT(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code"))
        .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
    assertTokenError(put, 405, "invalid_request");
  }

  // ---- the code grant ----

  @Test
  void unknownCodeIsInvalidGrant() throws Exception {
    // Looks like a real code (40 lowercase hex), as an expired one would, but the server never issued it.
    assertTokenError(client.postForm(TOKEN, grant("a3f9".repeat(10), CONFIDENTIAL_REDIRECT, OAuthClient.newVerifier()),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), 400, "invalid_grant");
    assertTokenError(client.postForm(TOKEN, grant("wrong", CONFIDENTIAL_REDIRECT, OAuthClient.newVerifier()),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), 400, "invalid_grant");
  }

  @Test
  void reusedCodeIsInvalidGrantAndRevokesTheTokenIssuedFromIt() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    String token = assertIssued(client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        "email");
    assertEquals(200, route("/api/orders", token).statusCode());

    assertTokenError(client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_grant");

    HttpResponse<String> revoked = route("/api/orders", token);
    assertEquals(401, revoked.statusCode(), revoked.body());
    String challenge = revoked.headers().firstValue("WWW-Authenticate").orElse("");
    assertTrue(challenge.startsWith("Bearer realm=\"portcullis\""), challenge);
    assertTrue(challenge.contains("error=\"invalid_token\""), challenge);
  }

  @Test
  void tokensOfOtherGrantsSurviveAReuse() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String other = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    String otherToken = assertIssued(client.postForm(TOKEN, grant(other, CONFIDENTIAL_REDIRECT, verifier),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), "email");
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    assertIssued(client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), "email");
    assertTokenError(client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_grant");
    assertEquals(200, route("/api/orders", otherToken).statusCode(), "only the reused code's grant is revoked");
  }

  @Test
  void codeOfAnotherClientIsInvalidGrant() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(PUBLIC, PUBLIC_REDIRECT, "email", verifier);
    assertTokenError(client.postForm(TOKEN, grant(code, PUBLIC_REDIRECT, verifier),
        "Authorization", basic(MARKUP, "markup-secret")), 400, "invalid_grant");
  }

  @Test
  void wrongRedirectUriIsInvalidGrant() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    // Registered for the client, but not the one the code was issued for.
    assertTokenError(client.postForm(TOKEN, grant(code, CONFIDENTIAL_OTHER_REDIRECT, verifier),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), 400, "invalid_grant");
  }

  @Test
  void missingRedirectUriWhenTheAuthorizeRequestHadOneIsInvalidGrant() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.remove("redirect_uri");
    JsonObject error = assertTokenError(client.postForm(TOKEN, body,
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), 400, "invalid_grant");
    assertTrue(error.get("error_description").getAsString().contains("redirect_uri"), error.toString());
  }

  @Test
  void redirectUriMayBeLeftOutWhenTheAuthorizeRequestLeftItOut() throws Exception {
    // RFC 6749 §4.1.3: redirect_uri is required only if the authorization request included it.
    String verifier = OAuthClient.newVerifier();
    String code = code(PUBLIC, null, "email", verifier);
    Map<String, String> body = params("grant_type", "authorization_code", "code", code,
        "code_verifier", verifier, "client_id", PUBLIC);
    assertIssued(client.postForm(TOKEN, body), "email");
  }

  @Test
  void missingCodeVerifierIsInvalidGrant() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.remove("code_verifier");
    JsonObject error = assertTokenError(client.postForm(TOKEN, body,
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), 400, "invalid_grant");
    assertTrue(error.get("error_description").getAsString().contains("code_verifier"), error.toString());
  }

  @Test
  void wrongCodeVerifierIsInvalidGrant() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(PUBLIC, PUBLIC_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, PUBLIC_REDIRECT, OAuthClient.newVerifier());
    body.put("client_id", PUBLIC);
    assertTokenError(client.postForm(TOKEN, body), 400, "invalid_grant");
  }

  @Test
  void malformedCodeVerifierIsInvalidGrant() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(PUBLIC, PUBLIC_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, PUBLIC_REDIRECT, "too-short");
    body.put("client_id", PUBLIC);
    assertTokenError(client.postForm(TOKEN, body), 400, "invalid_grant");
  }

  @Test
  void unsupportedGrantType() throws Exception {
    for (String grantType : new String[] {"implicit", "password", "urn:x:custom"}) {
      Map<String, String> body = params("grant_type", grantType);
      assertTokenError(client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
          400, "unsupported_grant_type");
    }
  }

  @Test
  void missingGrantTypeOrCodeIsInvalidRequest() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> noGrantType = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    noGrantType.remove("grant_type");
    assertTokenError(client.postForm(TOKEN, noGrantType, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_request");
    assertTokenError(client.postJson(TOKEN, json(noGrantType), "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_request");

    Map<String, String> noCode = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    noCode.remove("code");
    assertTokenError(client.postForm(TOKEN, noCode, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_request");
    // An empty value counts as absent (RFC 6749 §3.1).
    noCode.put("code", "");
    assertTokenError(client.postForm(TOKEN, noCode, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_request");

    // None of that spent the code.
    assertIssued(client.postForm(TOKEN, grant(code, CONFIDENTIAL_REDIRECT, verifier),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), "email");
  }

  @Test
  void concurrentRedemptionsOfOneCodeIssueOneTokenAndThenRevokeIt() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    int attempts = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(attempts);
    java.util.List<HttpResponse<String>> responses = new java.util.ArrayList<>();
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      java.util.List<java.util.concurrent.Future<HttpResponse<String>>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET));
        }));
      }
      go.countDown();
      for (java.util.concurrent.Future<HttpResponse<String>> f : futures) {
        responses.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    java.util.List<HttpResponse<String>> issued = responses.stream().filter(r -> r.statusCode() == 200).toList();
    assertEquals(1, issued.size(), "exactly one redemption wins");
    responses.stream().filter(r -> r.statusCode() != 200).forEach(r -> assertTokenError(r, 400, "invalid_grant"));
    // The others were reuses, so the one token is revoked.
    String token = OAuthClient.json(issued.get(0)).get("access_token").getAsString();
    assertEquals(401, route("/api/orders", token).statusCode());
  }

  @Test
  void parametersInTheRequestUriAreRefused() throws Exception {
    // RFC 6749 §2.3.1 and §4.1.3: credentials and the code travel in the body, never in the URI,
    // where access logs and proxies would keep them (DESIGN 1.6).
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    String query = OAuthClient.formEncode(params("client_id", CONFIDENTIAL, "client_secret", CONFIDENTIAL_SECRET));
    JsonObject error = assertTokenError(client.postForm(TOKEN + "?" + query, grant(code, CONFIDENTIAL_REDIRECT, verifier)),
        400, "invalid_request");
    assertTrue(error.get("error_description").getAsString().contains("body"), error.toString());
    assertTokenError(client.post(TOKEN + "?" + OAuthClient.formEncode(grant(code, CONFIDENTIAL_REDIRECT, verifier)),
        "application/x-www-form-urlencoded", "", "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_request");
    // The refused requests did not spend the code.
    assertIssued(client.postForm(TOKEN, grant(code, CONFIDENTIAL_REDIRECT, verifier),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), "email");
  }

  @Test
  void aRedirectUriWithItsOwnQueryIsComparedWhole() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(ConfigJson.QUERY, ConfigJson.QUERY_REDIRECT, "email", verifier);
    assertTokenError(client.postForm(TOKEN, grant(code, "http://localhost:9003/cb", verifier),
        "Authorization", basic(ConfigJson.QUERY, ConfigJson.QUERY_SECRET)), 400, "invalid_grant");
    String again = code(ConfigJson.QUERY, ConfigJson.QUERY_REDIRECT, "email", verifier);
    assertIssued(client.postForm(TOKEN, grant(again, ConfigJson.QUERY_REDIRECT, verifier),
        "Authorization", basic(ConfigJson.QUERY, ConfigJson.QUERY_SECRET)), "email");
  }

  // ---- scope ----

  @Test
  void scopeMayBeNarrowed() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email profile", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.put("scope", "email");
    String token = assertIssued(client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        "email");
    assertEquals(200, route("/api/orders", token).statusCode());
    HttpResponse<String> reports = route("/reports", token);
    assertEquals(403, reports.statusCode(), "the narrowed token no longer holds profile");
  }

  @Test
  void scopeCannotBeWidened() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = code(CONFIDENTIAL, CONFIDENTIAL_REDIRECT, "email", verifier);
    Map<String, String> body = grant(code, CONFIDENTIAL_REDIRECT, verifier);
    body.put("scope", "email admin");
    assertTokenError(client.postForm(TOKEN, body, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_scope");
  }
}
