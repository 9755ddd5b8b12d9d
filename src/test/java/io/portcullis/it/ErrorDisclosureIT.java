package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.PUBLIC;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.Grants.INTROSPECT;
import static io.portcullis.it.Grants.METADATA;
import static io.portcullis.it.Grants.REVOKE;
import static io.portcullis.it.OAuthClient.AUTHORIZE;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an error answer gives away, over real HTTP. A failed client authentication says the same
 * whether the client exists or not, so client ids cannot be listed; no error description repeats
 * anything the request sent (a name, a value, a header), so an answer of this server can never
 * carry a stranger's words; every JSON answer says {@code X-Content-Type-Options: nosniff}.
 */
class ErrorDisclosureIT {

  /** Sent in every position a request has; must come back in none. */
  static final String MARK = "zqmarkzq";

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants());
  static final OAuthClient client = new OAuthClient(server);

  // ---- client authentication ----

  @ParameterizedTest
  @MethodSource("backChannelEndpoints")
  void anUnknownClientAndAWrongSecretGetTheSameAnswer(String endpoint) throws Exception {
    List<HttpResponse<String>> failures = List.of(
        client.postForm(endpoint, params("grant_type", "client_credentials", "token", "t"),
            "Authorization", basic("nobody", "x")),
        client.postForm(endpoint, params("grant_type", "client_credentials", "token", "t"),
            "Authorization", basic(CONFIDENTIAL, "wrong")),
        client.postForm(endpoint, params("grant_type", "client_credentials", "token", "t",
            "client_id", "nobody", "client_secret", "x")),
        client.postForm(endpoint, params("grant_type", "client_credentials", "token", "t",
            "client_id", CONFIDENTIAL, "client_secret", "wrong")),
        // body client_id alone: unknown, a confidential client without its secret, a public one with one
        client.postForm(endpoint, params("grant_type", "client_credentials", "token", "t", "client_id", "nobody")),
        client.postForm(endpoint, params("grant_type", "client_credentials", "token", "t", "client_id", CONFIDENTIAL)),
        client.postForm(endpoint, params("grant_type", "client_credentials", "token", "t",
            "client_id", PUBLIC, "client_secret", "x")));
    List<String> bodies = new ArrayList<>();
    for (HttpResponse<String> failure : failures) {
      assertEquals(401, failure.statusCode(), failure.body());
      assertEquals("invalid_client", OAuthClient.json(failure).get("error").getAsString());
      assertFalse(failure.body().contains("nobody"), failure.body());
      bodies.add(failure.body());
    }
    assertEquals(1, bodies.stream().distinct().count(), "one answer for every failure: " + bodies);
  }

  static Stream<String> backChannelEndpoints() {
    return Stream.of(TOKEN, INTROSPECT, REVOKE);
  }

  // ---- nothing of the request comes back ----

  static Stream<Arguments> jsonErrors() {
    String longValue = MARK + "x".repeat(5000);
    String[] service = {"Authorization", basic(SERVICE, SERVICE_SECRET)};
    return Stream.of(
        Arguments.of("an unsupported grant_type", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=" + MARK, service),
        Arguments.of("an unknown parameter twice", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=client_credentials&" + MARK + "=1&" + MARK + "=2", service),
        Arguments.of("a scope the client may not have", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=client_credentials&scope=" + MARK, service),
        Arguments.of("an unknown client_id", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=client_credentials&client_id=" + MARK + "&client_secret=x", new String[0]),
        Arguments.of("an unknown client in Basic", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=client_credentials", new String[] {"Authorization", basic(MARK, "x")}),
        Arguments.of("a Content-Type of its own", TOKEN, "text/" + MARK, "grant_type=client_credentials", service),
        Arguments.of("a charset of its own", TOKEN, "application/x-www-form-urlencoded; charset=" + MARK,
            "grant_type=client_credentials", service),
        Arguments.of("a JSON field that is not a string", TOKEN, "application/json",
            "{\"grant_type\":\"client_credentials\",\"" + MARK + "\":1}", service),
        Arguments.of("a JSON key twice", TOKEN, "application/json",
            "{\"" + MARK + "\":\"a\",\"" + MARK + "\":\"b\"}", service),
        Arguments.of("malformed JSON after a key", TOKEN, "application/json", "{\"" + MARK + "\" 1}", service),
        Arguments.of("malformed JSON inside a nested key", TOKEN, "application/json",
            "{\"" + MARK + "\":{\"" + MARK + "\" ]}}", service),
        Arguments.of("a bad unicode escape", TOKEN, "application/json", "{\"grant_type\":\"\\u" + MARK + "\"}",
            service),
        Arguments.of("a bad escape", TOKEN, "application/json", "{\"grant_type\":\"\\" + MARK + "\"}", service),
        Arguments.of("an overlong value", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=client_credentials&scope=" + longValue, service),
        Arguments.of("an overlong unknown parameter", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=client_credentials&" + MARK + "=" + longValue, service),
        Arguments.of("an unknown refresh token", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=refresh_token&refresh_token=" + MARK, new String[] {"Authorization",
                basic(ConfigJson.REFRESHING, ConfigJson.REFRESHING_SECRET)}),
        Arguments.of("an unknown code", TOKEN, "application/x-www-form-urlencoded",
            "grant_type=authorization_code&code=" + MARK + "&redirect_uri=" + CONFIDENTIAL_REDIRECT,
            new String[] {"Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)}),
        Arguments.of("a token hint of its own, twice", INTROSPECT, "application/x-www-form-urlencoded",
            "token=" + MARK + "&token_type_hint=" + MARK + "&token_type_hint=" + MARK, service),
        Arguments.of("a parameter in the URL", REVOKE + "?" + MARK + "=1", "application/x-www-form-urlencoded",
            "token=" + MARK, service));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jsonErrors")
  void noJsonErrorRepeatsTheRequest(String what, String path, String contentType, String body, String[] headers)
      throws Exception {
    HttpResponse<String> response = client.post(path, contentType, body, headers);
    assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, response.statusCode() + " " + response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        response.headers().map().toString());
    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(null));
    assertTrue(OAuthClient.json(response).has("error_description"), response.body());
    assertNoMark(response);
  }

  @Test
  void theBearerFilterRepeatsNoToken() throws Exception {
    for (String authorization : List.of("Bearer " + MARK, "Bearer " + MARK + " " + MARK, MARK + " x")) {
      HttpResponse<String> response = client.get("/api/orders", "Authorization", authorization);
      assertTrue(response.statusCode() == 401 || response.statusCode() == 400, response.body());
      assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(null));
      assertNoMark(response);
    }
  }

  @Test
  void authorizationErrorsRepeatNoneOfTheRequest() throws Exception {
    // A redirect back to the client: the description travels in its Location.
    HttpResponse<String> redirected = client.get(AUTHORIZE + "?" + OAuthClient.formEncode(params(
        "response_type", "code", "client_id", CONFIDENTIAL, "redirect_uri", CONFIDENTIAL_REDIRECT,
        "scope", MARK, "code_challenge", OAuthClient.challenge(OAuthClient.newVerifier()),
        "code_challenge_method", "S256")));
    assertEquals(302, redirected.statusCode(), redirected.body());
    String location = redirected.headers().firstValue("Location").orElseThrow();
    assertFalse(URLDecoder.decode(location, StandardCharsets.UTF_8).contains(MARK), location);
    assertEquals("invalid_scope", OAuthClient.redirectParameters(redirected).get("error"));
    // The error pages, where no redirect can be trusted.
    for (String query : List.of("response_type=code&client_id=" + MARK,
        "response_type=code&client_id=" + CONFIDENTIAL + "&redirect_uri=http://" + MARK + ".example/cb")) {
      HttpResponse<String> page = client.get(AUTHORIZE + "?" + query);
      assertEquals(400, page.statusCode(), page.body());
      assertNoMark(page);
    }
    // An approval form posted with a charset of its own (Jetty cannot even name it).
    HttpResponse<String> posted = client.post(AUTHORIZE, "application/x-www-form-urlencoded; charset=" + MARK,
        "transaction_id=x&csrf_token=y&decision=deny");
    assertEquals(400, posted.statusCode(), posted.body());
    assertNoMark(posted);
  }

  @Test
  void successfulJsonAnswersAreNotSniffedEither() throws Exception {
    HttpResponse<String> metadata = client.get(METADATA);
    assertEquals(200, metadata.statusCode());
    assertEquals("nosniff", metadata.headers().firstValue("X-Content-Type-Options").orElse(null));
    HttpResponse<String> token = client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET));
    assertEquals(200, token.statusCode(), token.body());
    assertEquals("nosniff", token.headers().firstValue("X-Content-Type-Options").orElse(null));
  }

  private static void assertNoMark(HttpResponse<String> response) {
    String all = (response.headers().map() + "\n" + response.body()).toLowerCase(Locale.ROOT);
    assertFalse(all.contains(MARK), "the answer repeats the request: " + response.headers().map() + "\n"
        + response.body());
  }
}
