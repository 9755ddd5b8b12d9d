package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.MARKUP;
import static io.portcullis.it.ConfigJson.MARKUP_REDIRECT;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.PUBLIC;
import static io.portcullis.it.ConfigJson.PUBLIC_REDIRECT;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.ItAssertions.assertErrorPage;
import static io.portcullis.it.ItAssertions.assertErrorRedirect;
import static io.portcullis.it.ItAssertions.assertNoInternals;
import static io.portcullis.it.OAuthClient.AUTHORIZE;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET|POST /invoke/pub.apigateway.oauth2/authorize} and its approval page over real HTTP
 * (DESIGN 1.3, RFC 6749 §4.1.1–4.1.2, RFC 7636 §4.3).
 */
class AuthorizeEndpointIT {

  static final String STATE = "st-42_x.y~z";

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.standard());
  static final OAuthClient client = new OAuthClient(server);

  /** The same request as a query string or as a form body. */
  enum Method {
    GET, POST;

    HttpResponse<String> send(String encodedParameters) throws Exception {
      return this == GET
          ? client.get(AUTHORIZE + "?" + encodedParameters)
          : client.post(AUTHORIZE, "application/x-www-form-urlencoded", encodedParameters);
    }
  }

  static final String CHALLENGE = OAuthClient.challenge(OAuthClient.newVerifier());

  /**
   * A valid request of the confidential client, changed by name/value pairs: a {@code null} value
   * removes the parameter.
   */
  static String request(String... changes) {
    Map<String, String> query = new LinkedHashMap<>(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", "email", "state", STATE,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256"));
    for (int i = 0; i < changes.length; i += 2) {
      if (changes[i + 1] == null) {
        query.remove(changes[i]);
      } else {
        query.put(changes[i], changes[i + 1]);
      }
    }
    return OAuthClient.formEncode(query);
  }

  // ---- client or redirect URI not trusted: 400 page, never a redirect ----

  static Stream<Arguments> untrustedRequests() {
    List<Object[]> cases = List.of(
        new Object[] {"unknown client_id", request("client_id", "no-such-client")},
        new Object[] {"missing client_id", request("client_id", null)},
        new Object[] {"unregistered redirect_uri", request("redirect_uri", "http://evil.example/callback")},
        new Object[] {"redirect_uri extending a registered one", request("redirect_uri", CONFIDENTIAL_REDIRECT + "/x")},
        new Object[] {"redirect_uri with a trailing slash", request("redirect_uri", CONFIDENTIAL_REDIRECT + "/")},
        new Object[] {"redirect_uri of another client", request("redirect_uri", PUBLIC_REDIRECT)},
        new Object[] {"missing redirect_uri with two registered", request("redirect_uri", null)},
        new Object[] {"duplicate client_id", request() + "&client_id=" + CONFIDENTIAL},
        new Object[] {"duplicate client_id, second unknown", request() + "&client_id=other"},
        new Object[] {"duplicate redirect_uri", request() + "&redirect_uri=" + CONFIDENTIAL_REDIRECT});
    return Arrays.stream(Method.values())
        .flatMap(method -> cases.stream().map(c -> Arguments.of(method, c[0], c[1])));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("untrustedRequests")
  void untrustedClientOrRedirectUriGetsAnErrorPage(Method method, String name, String query) throws Exception {
    HttpResponse<String> response = method.send(query);
    assertErrorPage(response, 400, "invalid_request");
    assertFalse(response.body().contains("<form"), "no approval form on an error page");
  }

  // ---- everything else: 302 back to the client with error, error_description, state ----

  static Stream<Arguments> redirectedErrors() {
    String plainChallenge = OAuthClient.newVerifier();
    List<Object[]> cases = List.of(
        new Object[] {"missing response_type", request("response_type", null), "invalid_request", STATE},
        new Object[] {"response_type=token", request("response_type", "token"), "unsupported_response_type", STATE},
        new Object[] {"response_type=code token", request("response_type", "code token"),
            "unsupported_response_type", STATE},
        new Object[] {"no code_challenge", request("code_challenge", null, "code_challenge_method", null),
            "invalid_request", STATE},
        new Object[] {"method without challenge", request("code_challenge", null), "invalid_request", STATE},
        new Object[] {"code_challenge_method=plain",
            request("code_challenge", plainChallenge, "code_challenge_method", "plain"), "invalid_request", STATE},
        new Object[] {"missing method (means plain)",
            request("code_challenge", plainChallenge, "code_challenge_method", null), "invalid_request", STATE},
        new Object[] {"unknown method", request("code_challenge_method", "S512"), "invalid_request", STATE},
        new Object[] {"challenge too short", request("code_challenge", "abc"), "invalid_request", STATE},
        new Object[] {"challenge with non-base64url characters",
            request("code_challenge", "+".repeat(42) + "A"), "invalid_request", STATE},
        new Object[] {"challenge too long", request("code_challenge", CHALLENGE + "A"), "invalid_request", STATE},
        new Object[] {"scope not allowed", request("scope", "email payroll"), "invalid_scope", STATE},
        new Object[] {"malformed scope", request("scope", "email  profile"), "invalid_scope", STATE},
        new Object[] {"duplicate scope", request() + "&scope=profile", "invalid_request", STATE},
        new Object[] {"duplicate code_challenge", request() + "&code_challenge=" + CHALLENGE, "invalid_request", STATE},
        new Object[] {"duplicate response_type", request() + "&response_type=code", "invalid_request", STATE},
        // A repeated state cannot be echoed: which one would it be?
        new Object[] {"duplicate state", request() + "&state=other", "invalid_request", null});
    return Arrays.stream(Method.values())
        .flatMap(method -> cases.stream().map(c -> Arguments.of(method, c[0], c[1], c[2], c[3])));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("redirectedErrors")
  void otherErrorsRedirectToTheClient(Method method, String name, String query, String error, String state)
      throws Exception {
    assertErrorRedirect(method.send(query), CONFIDENTIAL_REDIRECT, error, state);
  }

  @ParameterizedTest
  @EnumSource(Method.class)
  void errorRedirectWithoutStateHasNoState(Method method) throws Exception {
    Map<String, String> parameters = assertErrorRedirect(
        method.send(request("state", null, "response_type", "token")),
        CONFIDENTIAL_REDIRECT, "unsupported_response_type", null);
    assertFalse(parameters.containsKey("state"));
  }

  @ParameterizedTest
  @EnumSource(Method.class)
  void aPublicClientAlwaysNeedsPkce(Method method) throws Exception {
    assertErrorRedirect(method.send(OAuthClient.formEncode(params("response_type", "code", "client_id", PUBLIC,
            "state", STATE))), PUBLIC_REDIRECT, "invalid_request", STATE);
  }

  // ---- the approval page ----

  @ParameterizedTest
  @EnumSource(Method.class)
  void validRequestShowsTheApprovalPage(Method method) throws Exception {
    HttpResponse<String> response = method.send(request());
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
    assertTrue(response.headers().firstValue("Location").isEmpty());
    OAuthClient.ApprovalPage page = OAuthClient.ApprovalPage.parse(response.body());
    assertEquals(AUTHORIZE, page.action());
    assertNotNull(page.hidden().get("transaction_id"));
    assertNotNull(page.hidden().get("csrf_token"));
    assertTrue(response.body().contains("Confidential App"), "the page names the client");
    assertTrue(response.body().contains("<code>email</code>"), "the page lists the scope");
  }

  @Test
  void approvalPageHasCredentialsAndTwoDecisionButtons() throws Exception {
    String html = client.authorize(params("response_type", "code", "client_id", PUBLIC,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256")).html();
    assertEquals(1, count(html, "<form "), html);
    assertTrue(html.contains("<form method=\"post\""), html);
    assertTrue(find(html, "<input[^>]*type=\"text\"[^>]*name=\"username\"[^>]*>"), html);
    assertTrue(find(html, "<input[^>]*type=\"password\"[^>]*name=\"password\"[^>]*>"), html);
    assertTrue(find(html, "<button[^>]*type=\"submit\"[^>]*name=\"decision\"[^>]*value=\"approve\"[^>]*>"), html);
    assertTrue(find(html, "<button[^>]*type=\"submit\"[^>]*name=\"decision\"[^>]*value=\"deny\"[^>]*>"), html);
    assertEquals(2, count(html, "name=\"decision\""), html);
    assertFalse(html.contains("<script"), "the page runs no script");
  }

  @Test
  void approvalPageCannotBeFramedAndPostsOnlyToUsOrTheClient() throws Exception {
    HttpResponse<String> response = client.get(AUTHORIZE + "?" + OAuthClient.formEncode(params(
        "response_type", "code", "client_id", PUBLIC, "redirect_uri", PUBLIC_REDIRECT,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256")));
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""));
    String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
    List<String> frameAncestors = directive(csp, "frame-ancestors");
    assertEquals(List.of("'none'"), frameAncestors, csp);
    List<String> formAction = directive(csp, "form-action");
    assertTrue(formAction.contains("'self'"), csp);
    // The browser applies form-action to the redirect that follows the post: the client's origin.
    assertTrue(formAction.contains("https://app.example.com:8443"), csp);
    assertFalse(formAction.contains("*"), csp);
  }

  @Test
  void approvalPageEscapesTheClientName() throws Exception {
    HttpResponse<String> response = client.get(AUTHORIZE + "?" + OAuthClient.formEncode(params(
        "response_type", "code", "client_id", MARKUP, "redirect_uri", MARKUP_REDIRECT,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256")));
    assertEquals(200, response.statusCode(), response.body());
    String html = response.body();
    assertFalse(html.contains("<script"), html);
    assertFalse(html.contains("& Sons"), "a bare ampersand is not escaped");
    assertTrue(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons"), html);
  }

  @Test
  void noScopeAskedMeansAllTheClientsScopes() throws Exception {
    String verifier = OAuthClient.newVerifier();
    Map<String, String> query = params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "code_challenge", OAuthClient.challenge(verifier),
        "code_challenge_method", "S256");
    OAuthClient.ApprovalPage page = client.authorize(query);
    for (String scope : List.of("email", "profile", "admin")) {
      assertTrue(page.html().contains("<code>" + scope + "</code>"), scope + " is listed:\n" + page.html());
    }
    HttpResponse<String> redirect = client.decide(page, "approve", USER, PASSWORD);
    assertEquals(302, redirect.statusCode(), redirect.body());
    String code = OAuthClient.redirectParameters(redirect).get("code");
    HttpResponse<String> token = client.postForm(OAuthClient.TOKEN, params("grant_type", "authorization_code",
        "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", verifier),
        "Authorization", OAuthClient.basic(CONFIDENTIAL, CONFIDENTIAL_SECRET));
    assertEquals(200, token.statusCode(), token.body());
    assertEquals("email profile admin", OAuthClient.json(token).get("scope").getAsString());
  }

  @Test
  void approvalRedirectsWithCodeAndState() throws Exception {
    HttpResponse<String> redirect = client.decide(client.authorize(params("response_type", "code",
        "client_id", CONFIDENTIAL, "redirect_uri", CONFIDENTIAL_REDIRECT, "state", STATE,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256")), "approve", USER, PASSWORD);
    assertEquals(302, redirect.statusCode(), redirect.body());
    assertTrue(redirect.headers().firstValue("Location").orElseThrow().startsWith(CONFIDENTIAL_REDIRECT + "?code="));
    Map<String, String> parameters = OAuthClient.redirectParameters(redirect);
    assertTrue(parameters.get("code").matches("[0-9a-f]{32,}"), parameters.toString());
    assertEquals(STATE, parameters.get("state"));
    assertFalse(parameters.containsKey("error"));
  }

  @Test
  void wrongCredentialsShowThePageAgainAndTheSameTransactionThenWorks() throws Exception {
    Map<String, String> query = params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "state", STATE,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256");
    OAuthClient.ApprovalPage first = client.authorize(query);

    for (String[] credentials : new String[][] {{USER, "wrong-password"}, {"nobody", PASSWORD}, {USER, null}}) {
      HttpResponse<String> again = client.decide(first, "approve", credentials[0], credentials[1]);
      assertEquals(401, again.statusCode(), again.body());
      assertTrue(again.headers().firstValue("Location").isEmpty());
      assertTrue(again.body().contains("class=\"message\""), "a message says what went wrong:\n" + again.body());
      OAuthClient.ApprovalPage retry = OAuthClient.ApprovalPage.parse(again.body());
      assertEquals(first.hidden(), retry.hidden(), "the same transaction");
      assertNoInternals(again.body());
    }
    HttpResponse<String> wrong = client.decide(first, "approve", USER, "wrong-password");
    assertTrue(wrong.body().contains("The username or password is incorrect."), wrong.body());

    HttpResponse<String> redirect = client.decide(first, "approve", USER, PASSWORD);
    assertEquals(302, redirect.statusCode(), redirect.body());
    Map<String, String> parameters = OAuthClient.redirectParameters(redirect);
    assertNotNull(parameters.get("code"));
    assertEquals(STATE, parameters.get("state"));
  }

  @Test
  void denyRedirectsWithAccessDeniedAndState() throws Exception {
    OAuthClient.ApprovalPage page = client.authorize(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "state", STATE,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256"));
    assertErrorRedirect(client.decide(page, "deny", null, null), CONFIDENTIAL_REDIRECT, "access_denied", STATE);
  }

  @Test
  void aTransactionAnsweredTwiceIsRefusedTheSecondTime() throws Exception {
    Map<String, String> query = params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "state", STATE,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256");
    OAuthClient.ApprovalPage approved = client.authorize(query);
    assertEquals(302, client.decide(approved, "approve", USER, PASSWORD).statusCode());
    assertErrorPage(client.decide(approved, "approve", USER, PASSWORD), 400, "invalid_request");
    assertErrorPage(client.decide(approved, "deny", null, null), 400, "invalid_request");

    OAuthClient.ApprovalPage denied = client.authorize(query);
    assertEquals(302, client.decide(denied, "deny", null, null).statusCode());
    assertErrorPage(client.decide(denied, "approve", USER, PASSWORD), 400, "invalid_request");
  }

  @Test
  void tamperedCsrfTokenIsForbidden() throws Exception {
    OAuthClient.ApprovalPage page = client.authorize(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "state", STATE,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256"));
    Map<String, String> hidden = new LinkedHashMap<>(page.hidden());
    String csrf = hidden.get("csrf_token");
    hidden.put("csrf_token", (csrf.charAt(0) == 'a' ? "b" : "a") + csrf.substring(1));
    OAuthClient.ApprovalPage tampered = new OAuthClient.ApprovalPage(page.action(), hidden, page.html());
    assertErrorPage(client.decide(tampered, "approve", USER, PASSWORD), 403, "invalid_request");
    assertErrorPage(client.decide(tampered, "deny", null, null), 403, "invalid_request");

    hidden.remove("csrf_token");
    assertErrorPage(client.decide(new OAuthClient.ApprovalPage(page.action(), hidden, page.html()),
        "approve", USER, PASSWORD), 400, "invalid_request");
  }

  @Test
  void unknownTransactionIsAnErrorPage() throws Exception {
    OAuthClient.ApprovalPage forged = new OAuthClient.ApprovalPage(AUTHORIZE,
        params("transaction_id", "f".repeat(64), "csrf_token", "0".repeat(64)), "");
    assertErrorPage(client.decide(forged, "approve", USER, PASSWORD), 400, "invalid_request");
  }

  @Test
  void concurrentApprovalsOfOneTransactionYieldOneCode() throws Exception {
    OAuthClient.ApprovalPage page = client.authorize(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "state", STATE,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256"));
    int attempts = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(attempts);
    List<HttpResponse<String>> responses = new java.util.ArrayList<>();
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<HttpResponse<String>>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return client.decide(page, "approve", USER, PASSWORD);
        }));
      }
      go.countDown();
      for (java.util.concurrent.Future<HttpResponse<String>> f : futures) {
        responses.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, responses.stream().filter(r -> r.statusCode() == 302).count(), "one code per transaction");
    responses.stream().filter(r -> r.statusCode() != 302).forEach(r -> assertErrorPage(r, 400, "invalid_request"));
  }

  @Test
  void stateComesBackExactly() throws Exception {
    String state = "a b&c=d+e/f?g#h%20i'j\"k<l>~";
    Map<String, String> ok = client.approve(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "state", state,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256"), USER, PASSWORD);
    assertEquals(state, ok.get("state"));
    assertErrorRedirect(Method.GET.send(request("state", state, "response_type", "token")),
        CONFIDENTIAL_REDIRECT, "unsupported_response_type", state);
  }

  @Test
  void aRedirectUriKeepsItsOwnQuery() throws Exception {
    Map<String, String> query = params("response_type", "code", "client_id", ConfigJson.QUERY,
        "redirect_uri", ConfigJson.QUERY_REDIRECT, "state", STATE,
        "code_challenge", CHALLENGE, "code_challenge_method", "S256");
    HttpResponse<String> approved = client.decide(client.authorize(query), "approve", USER, PASSWORD);
    assertEquals(302, approved.statusCode(), approved.body());
    String location = approved.headers().firstValue("Location").orElseThrow();
    assertTrue(location.startsWith(ConfigJson.QUERY_REDIRECT + "&code="), location);
    Map<String, String> parameters = OAuthClient.redirectParameters(approved);
    assertEquals("acme", parameters.get("tenant"));
    assertEquals("en", parameters.get("lang"));
    assertEquals(STATE, parameters.get("state"));

    query.put("scope", "payroll");
    HttpResponse<String> refused = client.get(AUTHORIZE + "?" + OAuthClient.formEncode(query));
    assertTrue(refused.headers().firstValue("Location").orElseThrow().startsWith(ConfigJson.QUERY_REDIRECT + "&error="));
    assertEquals("invalid_scope", OAuthClient.redirectParameters(refused).get("error"));
    assertEquals("acme", OAuthClient.redirectParameters(refused).get("tenant"));
  }

  @Test
  void theErrorPageDoesNotRepeatWhatTheRequestSent() throws Exception {
    HttpResponse<String> response = client.get(AUTHORIZE + "?" + OAuthClient.formEncode(params(
        "response_type", "code", "client_id", "<img src=x onerror=alert(1)>&amp;")));
    assertErrorPage(response, 400, "invalid_request");
    assertFalse(response.body().contains("<img"), response.body());
    assertFalse(response.body().contains("onerror"), response.body());
    assertTrue(response.body().contains("the client_id is not registered"), response.body());
  }

  // ---- helpers ----

  /** The source list of one CSP directive. */
  static List<String> directive(String csp, String name) {
    for (String part : csp.split(";")) {
      List<String> tokens = List.of(part.trim().split("\\s+"));
      if (tokens.get(0).equals(name)) {
        return tokens.subList(1, tokens.size());
      }
    }
    throw new AssertionError("no " + name + " in " + csp);
  }

  static boolean find(String html, String regex) {
    return Pattern.compile(regex).matcher(html).find();
  }

  static int count(String html, String literal) {
    Matcher m = Pattern.compile(Pattern.quote(literal)).matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
