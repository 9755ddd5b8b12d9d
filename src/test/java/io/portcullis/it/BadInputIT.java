package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.ItAssertions.assertErrorPage;
import static io.portcullis.it.ItAssertions.assertErrorRedirect;
import static io.portcullis.it.ItAssertions.assertInvalidClient;
import static io.portcullis.it.ItAssertions.assertNoInternals;
import static io.portcullis.it.ItAssertions.assertTokenError;
import static io.portcullis.it.OAuthClient.AUTHORIZE;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed requests (DESIGN 1.6): each gets a 4xx with the RFC's error code and a description,
 * never a 500, a stack trace or a class name, and none leaves state behind.
 */
class BadInputIT {

  static final String FORM = "application/x-www-form-urlencoded";
  static final String JSON = "application/json";
  static final String CHALLENGE = OAuthClient.challenge(OAuthClient.newVerifier());

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.standard());
  static final OAuthClient client = new OAuthClient(server);

  static final String VALID_FORM = "grant_type=authorization_code&code=" + "ab".repeat(20)
      + "&redirect_uri=" + CONFIDENTIAL_REDIRECT + "&code_verifier=" + "v".repeat(43);

  static String deepJson(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  // ---- broken chunked framing: the container's to refuse, never a 500 ----

  static Stream<Arguments> brokenChunks() {
    return Stream.of(
        Arguments.of("a chunk size that is not hex", "zz\r\n"),
        Arguments.of("a chunk without its CRLF", "3\r\nabcdef\r\n0\r\n\r\n"),
        Arguments.of("a chunk size past any limit", "ffffffffffffffffff\r\n"));
  }

  /** Jetty hands the broken body to Portcullis's reader as an error, which answers 400 (Tomcat: RealContainersIT). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenChunks")
  void brokenChunkedFramingIsRefusedAsBadInput(String name, String framing) throws Exception {
    RawHttp.Response token = RawHttp.exchangeFramed(server.port(), List.of("POST " + TOKEN + " HTTP/1.1",
        "Content-Type: " + FORM), "Transfer-Encoding: chunked", framing.getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(400, token.status(), token.body());
    assertEquals("{\"error\":\"invalid_request\",\"error_description\":\"the request body's chunked framing is "
        + "broken, or it ended before its last chunk\"}", token.body());
    assertEquals("close", token.firstHeader("Connection"));
    RawHttp.Response page = RawHttp.exchangeFramed(server.port(), List.of("POST " + AUTHORIZE + " HTTP/1.1",
        "Content-Type: " + FORM), "Transfer-Encoding: chunked", framing.getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(400, page.status(), page.body());
    assertTrue(page.firstHeader("Content-Type").startsWith("text/html"), page.firstHeader("Content-Type"));
    assertTrue(page.body().contains("chunked framing is broken"), page.body());
    assertNoInternals(page.body());
  }

  // ---- token endpoint: every one is 400 invalid_request ----

  static Stream<Arguments> badTokenRequests() {
    return Stream.of(
        Arguments.of("malformed JSON", JSON, "{\"grant_type\":\"authorization_code\","),
        Arguments.of("JSON with single quotes", JSON, "{'grant_type':'authorization_code'}"),
        Arguments.of("JSON array", JSON, "[\"grant_type\",\"authorization_code\"]"),
        Arguments.of("JSON string", JSON, "\"grant_type=authorization_code\""),
        Arguments.of("JSON null", JSON, "null"),
        Arguments.of("empty JSON body", JSON, ""),
        Arguments.of("JSON with a number value", JSON, "{\"grant_type\":\"authorization_code\",\"code\":12345}"),
        Arguments.of("JSON with a boolean value", JSON, "{\"grant_type\":\"authorization_code\",\"code\":true}"),
        Arguments.of("JSON with an object value", JSON, "{\"grant_type\":\"authorization_code\",\"code\":{\"a\":\"b\"}}"),
        Arguments.of("JSON with an array value", JSON, "{\"grant_type\":[\"authorization_code\"]}"),
        Arguments.of("duplicate JSON keys", JSON,
            "{\"grant_type\":\"authorization_code\",\"code\":\"a\",\"code\":\"b\"}"),
        Arguments.of("JSON with trailing content", JSON, "{\"grant_type\":\"authorization_code\"} {}"),
        Arguments.of("deeply nested JSON", JSON, deepJson(5000)),
        Arguments.of("JSON with a control character", JSON, "{\"grant_type\":\"authorization_code\",\"code\":\"a\\u0000b\"}"),
        Arguments.of("JSON in a non-UTF-8 charset", JSON + "; charset=utf-16", "{\"grant_type\":\"authorization_code\"}"),
        Arguments.of("text/plain", "text/plain", VALID_FORM),
        Arguments.of("no Content-Type", null, VALID_FORM),
        Arguments.of("multipart/form-data", "multipart/form-data; boundary=x", VALID_FORM),
        Arguments.of("application/xml", "application/xml", "<grant_type>authorization_code</grant_type>"),
        Arguments.of("duplicate form parameter", FORM, VALID_FORM + "&code=" + "cd".repeat(20)),
        Arguments.of("duplicate grant_type", FORM, VALID_FORM + "&grant_type=authorization_code"),
        Arguments.of("oversized parameter value", FORM, VALID_FORM + "&scope=" + "e".repeat(4097)),
        Arguments.of("oversized parameter name", FORM, VALID_FORM + "&" + "n".repeat(200) + "=1"),
        Arguments.of("too many parameters", FORM, VALID_FORM + manyParameters(70)),
        Arguments.of("%00 in a parameter", FORM, VALID_FORM.replace("code=", "code=ab%00")),
        Arguments.of("%0A in a parameter", FORM, VALID_FORM + "&scope=email%0Aprofile"),
        Arguments.of("%0D%0A in a parameter", FORM, VALID_FORM.replace("redirect_uri=", "redirect_uri=%0D%0ASet-Cookie:x")),
        Arguments.of("C1 control character", FORM, VALID_FORM + "&scope=email%C2%85"),
        Arguments.of("invalid UTF-8 %C3%28", FORM, VALID_FORM + "&scope=%C3%28"),
        Arguments.of("lone UTF-8 continuation byte", FORM, VALID_FORM + "&scope=%80"),
        Arguments.of("overlong UTF-8 encoding", FORM, VALID_FORM + "&scope=%C0%AF"),
        Arguments.of("truncated %-escape", FORM, VALID_FORM + "&scope=abc%2"),
        Arguments.of("non-hex %-escape", FORM, VALID_FORM + "&scope=%G1"));
  }

  static String manyParameters(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append("&p").append(i).append("=x");
    }
    return s.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTokenRequests")
  void badTokenRequestIsInvalidRequest(String name, String contentType, String body) throws Exception {
    HttpResponse<String> response = client.post(TOKEN, contentType, body,
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET));
    assertTokenError(response, 400, "invalid_request");
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    StringBuilder body = new StringBuilder(VALID_FORM);
    while (body.length() <= 17 * 1024) {
      body.append("&pad").append(body.length()).append('=').append("x".repeat(1000));
    }
    HttpResponse<String> form = client.post(TOKEN, FORM, body.toString(),
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET));
    assertTokenError(form, 413, "invalid_request");

    String json = "{\"grant_type\":\"authorization_code\",\"pad\":\"" + "x".repeat(20_000) + "\"}";
    assertTokenError(client.post(TOKEN, JSON, json, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        413, "invalid_request");
  }

  @Test
  void oversizedChunkedBodyIs413() throws Exception {
    // No Content-Length to refuse up front: the limit must hold while reading.
    List<String> chunks = new java.util.ArrayList<>(List.of(VALID_FORM));
    for (int i = 0; i < 20; i++) {
      chunks.add("&pad" + i + "=" + "x".repeat(1000));
    }
    RawHttp.Response response = RawHttp.exchangeChunked(server, List.of("POST " + TOKEN + " HTTP/1.1",
        "Content-Type: " + FORM, "Authorization: " + basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)), chunks);
    assertEquals(413, response.status(), response.body());
    assertTrue(response.body().contains("\"error\":\"invalid_request\""), response.body());
    assertEquals("no-store", response.firstHeader("Cache-Control"));
    assertNoInternals(response.body());
  }

  @Test
  void aParameterInBothQueryAndBodyIsRepeated() throws Exception {
    HttpResponse<String> response = client.post(TOKEN + "?code=" + "ef".repeat(20), FORM, VALID_FORM,
        "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET));
    assertTokenError(response, 400, "invalid_request");
  }

  @Test
  void nonAsciiClientIdIsInvalidClient() throws Exception {
    assertInvalidClient(client.postForm(TOKEN, params("grant_type", "authorization_code", "code", "x",
        "client_id", "clïent-ñ-日本", "client_secret", "s")));
    assertInvalidClient(client.postForm(TOKEN, params("grant_type", "authorization_code", "code", "x"),
        "Authorization", basic("clïent-日本", "sëcret")));
  }

  @Test
  void nonAsciiCodeIsInvalidGrant() throws Exception {
    assertTokenError(client.postForm(TOKEN, params("grant_type", "authorization_code", "code", "cödé-日本",
        "redirect_uri", CONFIDENTIAL_REDIRECT), "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)),
        400, "invalid_grant");
  }

  @Test
  void malformedBasicHeaderIsInvalidClient() throws Exception {
    for (String header : List.of("Basic !!!not-base64!!!", "Basic", "Basic " + java.util.Base64.getEncoder()
        .encodeToString("no-colon".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        "Basic " + java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, ':', 'x'}),
        "Basic " + java.util.Base64.getEncoder().encodeToString("a%zz:b".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        "Bearer abc", "Digest username=\"x\"")) {
      HttpResponse<String> response = client.post(TOKEN, FORM, VALID_FORM, "Authorization", header);
      assertInvalidClient(response);
    }
  }

  @Test
  void badRequestsLeaveNoStateBehind() throws Exception {
    // A code survives every malformed request that names it: none of them got far enough to spend it.
    String verifier = OAuthClient.newVerifier();
    String code = client.approve(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", "email",
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"), USER, PASSWORD).get("code");
    String good = "grant_type=authorization_code&code=" + code + "&redirect_uri=" + CONFIDENTIAL_REDIRECT
        + "&code_verifier=" + verifier;
    String auth = basic(CONFIDENTIAL, CONFIDENTIAL_SECRET);
    assertTokenError(client.post(TOKEN, FORM, good + "&code=" + code, "Authorization", auth), 400, "invalid_request");
    assertTokenError(client.post(TOKEN, "text/plain", good, "Authorization", auth), 400, "invalid_request");
    assertTokenError(client.post(TOKEN, FORM, good + "&scope=%C3%28", "Authorization", auth), 400, "invalid_request");
    assertTokenError(client.post(TOKEN, FORM, good + "&scope=a%00", "Authorization", auth), 400, "invalid_request");
    assertTokenError(client.post(TOKEN, FORM, good.replace(verifier, "short"), "Authorization", auth),
        400, "invalid_grant");
    HttpResponse<String> token = client.post(TOKEN, FORM, good, "Authorization", auth);
    assertEquals(200, token.statusCode(), token.body());
  }

  // ---- authorization endpoint ----

  static String validQuery() {
    return OAuthClient.formEncode(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "code_challenge", CHALLENGE, "code_challenge_method", "S256"));
  }

  /** A query the server cannot even decode: neither client nor redirect URI can be trusted, so a page. */
  static Stream<Arguments> undecodableAuthorizeQueries() {
    return Stream.of(
        Arguments.of("%0D%0A in redirect_uri", validQuery().replace("redirect_uri=", "redirect_uri=%0D%0A")),
        Arguments.of("invalid UTF-8 %C3%28 in state", validQuery() + "&state=%C3%28"),
        Arguments.of("invalid UTF-8 in client_id", validQuery().replace("client_id=", "client_id=%FF")),
        Arguments.of("malformed %-escape", validQuery() + "&state=%zz"),
        Arguments.of("oversized state", validQuery() + "&state=" + "s".repeat(4097)),
        Arguments.of("too many parameters", validQuery() + manyParameters(70)));
  }

  @ParameterizedTest(name = "GET {0}")
  @MethodSource("undecodableAuthorizeQueries")
  void undecodableAuthorizeQueryIsAnErrorPage(String name, String query) throws Exception {
    // Over a raw socket: java.net.URI refuses to even build some of these request lines.
    RawHttp.Response response = RawHttp.exchange(server, List.of("GET " + AUTHORIZE + "?" + query + " HTTP/1.1"), null);
    assertEquals(400, response.status(), response.body());
    assertTrue(response.header("Location").isEmpty(), "an error page must not redirect");
    assertTrue(response.firstHeader("Content-Type").startsWith("text/html"), response.firstHeader("Content-Type"));
    assertTrue(response.body().contains("error: invalid_request"), response.body());
    assertNoInternals(response.body());
  }

  @ParameterizedTest(name = "POST {0}")
  @MethodSource("undecodableAuthorizeQueries")
  void undecodableAuthorizeFormIsAnErrorPage(String name, String body) throws Exception {
    assertErrorPage(client.post(AUTHORIZE, FORM, body), 400, "invalid_request");
  }

  /**
   * RFC 6749 §4.1.2.1: with client and redirect URI valid, a bad state or scope goes back to the
   * client as invalid_request, the same for control characters as for non-ASCII; a state that
   * cannot be sent back as it came is not sent back at all.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"%00", "%0A", "%0D", "%0D%0ASet-Cookie:%20x=1", "%09", "%7F", "%C2%85"})
  void controlCharactersInStateAreRedirectedWithoutTheState(String escaped) throws Exception {
    RawHttp.Response response = RawHttp.exchange(server,
        List.of("GET " + AUTHORIZE + "?" + validQuery() + "&state=a" + escaped + "b HTTP/1.1"), null);
    assertEquals(302, response.status(), response.body());
    String location = response.firstHeader("Location");
    assertTrue(location.startsWith(CONFIDENTIAL_REDIRECT + "?error=invalid_request&"), location);
    assertFalse(location.contains("state="), location);
    assertTrue(location.chars().allMatch(c -> c > 0x20 && c < 0x7f), location);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"%00", "%0A", "%0D%0A", "email%0Aprofile"})
  void controlCharactersInScopeAreRedirectedWithTheState(String escaped) throws Exception {
    RawHttp.Response response = RawHttp.exchange(server,
        List.of("GET " + AUTHORIZE + "?" + validQuery() + "&state=s1&scope=" + escaped + " HTTP/1.1"), null);
    assertEquals(302, response.status(), response.body());
    String location = response.firstHeader("Location");
    assertTrue(location.startsWith(CONFIDENTIAL_REDIRECT + "?error=invalid_request&"), location);
    assertTrue(location.contains("&state=s1"), location);
  }

  @Test
  void nonAsciiStateIsRefusedAndNotEchoed() throws Exception {
    HttpResponse<String> response = client.get(AUTHORIZE + "?" + validQuery() + "&state=caf%C3%A9-%E6%97%A5");
    Map<String, String> parameters = assertErrorRedirect(response, CONFIDENTIAL_REDIRECT, "invalid_request", null);
    assertTrue(parameters.get("error_description").contains("state"), parameters.toString());
    // The Location header itself is plain ASCII.
    String location = response.headers().firstValue("Location").orElseThrow();
    assertTrue(location.chars().allMatch(c -> c > 0x20 && c < 0x7f), location);
  }

  @Test
  void nonAsciiClientIdIsAnErrorPage() throws Exception {
    assertErrorPage(client.get(AUTHORIZE + "?" + validQuery().replace("client_id=", "client_id=%C3%A9")),
        400, "invalid_request");
  }

  @Test
  void hugeQueryStringIsRefused() throws Exception {
    // Within the container's header limit: our own parameter limit answers.
    String big = validQuery() + "&state=" + "s".repeat(6000);
    assertErrorPage(client.get(AUTHORIZE + "?" + big), 400, "invalid_request");
    // Beyond it: the container refuses the request line before Portcullis sees it; still a clean 4xx.
    HttpResponse<String> huge = client.get(AUTHORIZE + "?" + validQuery() + "&state=" + "s".repeat(100_000));
    assertTrue(huge.statusCode() >= 400 && huge.statusCode() < 500, "status " + huge.statusCode());
    assertTrue(huge.headers().firstValue("Location").isEmpty());
    assertNoInternals(huge.body());
  }

  @Test
  void wrongContentTypeOnAuthorizePostIsAnErrorPage() throws Exception {
    assertErrorPage(client.post(AUTHORIZE, JSON, "{\"response_type\":\"code\",\"client_id\":\"" + CONFIDENTIAL + "\"}"),
        400, "invalid_request");
    assertErrorPage(client.post(AUTHORIZE, "text/plain", validQuery()), 400, "invalid_request");
    assertErrorPage(client.post(AUTHORIZE, null, validQuery()), 400, "invalid_request");
  }

  @Test
  void oversizedAuthorizePostIs413() throws Exception {
    StringBuilder body = new StringBuilder(validQuery());
    while (body.length() <= 17 * 1024) {
      body.append("&pad").append(body.length()).append('=').append("x".repeat(1000));
    }
    assertErrorPage(client.post(AUTHORIZE, FORM, body.toString()), 413, "invalid_request");
  }

  @Test
  void malformedApprovalFormIsAnErrorPageAndTheTransactionSurvives() throws Exception {
    OAuthClient.ApprovalPage page = client.authorize(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "state", "s", "code_challenge", CHALLENGE,
        "code_challenge_method", "S256"));
    String hidden = OAuthClient.formEncode(page.hidden());
    String credentials = "&username=" + USER + "&password=" + PASSWORD;
    assertErrorPage(client.post(AUTHORIZE, FORM, hidden + credentials + "&decision=approve&decision=deny"),
        400, "invalid_request");
    assertErrorPage(client.post(AUTHORIZE, FORM, hidden + credentials + "&decision=maybe"), 400, "invalid_request");
    // A password with a control character: the page again, saying what is wrong with it.
    HttpResponse<String> controlCharacter = client.post(AUTHORIZE, FORM, hidden + credentials + "%00&decision=approve");
    assertEquals(400, controlCharacter.statusCode());
    assertTrue(controlCharacter.body().contains("name=\"password\""), controlCharacter.body());
    assertTrue(controlCharacter.body().contains("the parameter password contains control characters"),
        controlCharacter.body());
    assertErrorPage(client.post(AUTHORIZE, FORM, hidden + "&" + hidden + credentials + "&decision=approve"),
        400, "invalid_request");
    HttpResponse<String> approved = client.post(AUTHORIZE, FORM, hidden + credentials + "&decision=approve");
    assertEquals(302, approved.statusCode(), approved.body());
    assertTrue(OAuthClient.redirectParameters(approved).containsKey("code"));
  }

  // ---- bearer filter ----

  @Test
  void malformedBearerTokensAreRefusedCleanly() throws Exception {
    for (String header : List.of("Bearer " + "a".repeat(5000), "Bearer a b", "Bearer", "Bearer ===", "Bearer a=b")) {
      HttpResponse<String> response = client.get("/api/orders", "Authorization", header);
      assertEquals(400, response.statusCode(), header);
      assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_request\""));
      assertNoInternals(response.body());
    }
    // A tab after the scheme (RFC 7235 wants a space): a malformed bearer header, not a missing one.
    RawHttp.Response tab = RawHttp.exchange(server, List.of("GET /api/orders HTTP/1.1",
        "Authorization: Bearer\t" + "ab".repeat(32)), null);
    assertEquals(400, tab.status(), tab.body());
    assertTrue(tab.firstHeader("WWW-Authenticate").contains("error=\"invalid_request\""), tab.headers().toString());
    RawHttp.Response nonAscii = RawHttp.exchange(server, List.of("GET /api/orders HTTP/1.1",
        "Authorization: Bearer caf\u00e9"), null);
    assertTrue(nonAscii.status() == 400 || nonAscii.status() == 401, "status " + nonAscii.status());
    assertNoInternals(nonAscii.body());
    assertFalse(nonAscii.body().isEmpty());
  }
}
