package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.portcullis.config.ClientRegistration;
import io.portcullis.config.StoredSecret;
import io.portcullis.oauth.AuthorizeOutcome;
import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.TokenResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ResponsesTest {

  final Responses responses = new Responses("portcullis");
  final RecordedResponse recorded = new RecordedResponse();
  final HttpServletResponse response = recorded.proxy();

  // ---- token endpoint ----

  @Test
  void tokenIsJsonThatIsNeverCached() throws IOException {
    responses.token(response, new TokenResponse("ab".repeat(32), "Bearer", 3600, "email"));
    assertEquals(200, recorded.status);
    assertEquals("no-store", recorded.headers.get("Cache-Control"));
    assertEquals("no-cache", recorded.headers.get("Pragma"));
    assertEquals("application/json;charset=UTF-8", recorded.contentType);
    JsonObject body = recorded.json();
    assertEquals("ab".repeat(32), body.get("access_token").getAsString());
    assertEquals("Bearer", body.get("token_type").getAsString());
    assertEquals(3600, body.get("expires_in").getAsLong());
    assertEquals("email", body.get("scope").getAsString());
    assertEquals(recorded.body.size(), recorded.contentLength);
  }

  @Test
  void theTokenAnswerIsByteForByteWhatAJsonTreeWouldWrite() throws IOException {
    // Written directly for speed: the same bytes as Gson's tree, field order included, for values
    // of every kind, including the characters JSON must escape.
    java.util.SplittableRandom random = new java.util.SplittableRandom(12);
    String alphabet = "ab09 \"\\/\u0000\u001f\n\t<>&='\u00e9\u2028\u2029\ud83d\ude00";
    for (int i = 0; i < 2_000; i++) {
      String scope = i % 3 == 0 ? "" : text(random, alphabet);
      String refresh = i % 2 == 0 ? null : text(random, alphabet);
      TokenResponse token = new TokenResponse(text(random, alphabet), "Bearer", random.nextLong(1, 1L << 40), scope,
          refresh);
      RecordedResponse answer = new RecordedResponse();
      responses.token(answer.proxy(), token);
      JsonObject tree = new JsonObject();
      tree.addProperty("access_token", token.accessToken());
      tree.addProperty("token_type", token.tokenType());
      tree.addProperty("expires_in", token.expiresIn());
      if (!scope.isEmpty()) {
        tree.addProperty("scope", scope);
      }
      if (refresh != null) {
        tree.addProperty("refresh_token", refresh);
      }
      assertEquals(new String(tree.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
          answer.text(), "the bytes on the wire"); // a lone surrogate goes out as '?' either way
    }
  }

  private static String text(java.util.SplittableRandom random, String alphabet) {
    StringBuilder text = new StringBuilder();
    for (int n = random.nextInt(12); n > 0; n--) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  @Test
  void tokenWithoutScopeOmitsTheField() throws IOException {
    responses.token(response, new TokenResponse("ab".repeat(32), "Bearer", 3600, ""));
    assertFalse(recorded.json().has("scope"));
  }

  @Test
  void invalidClientIs401WithABasicChallenge() throws IOException {
    responses.tokenError(response, OAuthException.invalidClient("client authentication failed: wrong client secret"));
    assertEquals(401, recorded.status);
    assertEquals("Basic realm=\"portcullis\", charset=\"UTF-8\"", recorded.headers.get("WWW-Authenticate"));
    assertEquals("no-store", recorded.headers.get("Cache-Control"));
    JsonObject body = recorded.json();
    assertEquals("invalid_client", body.get("error").getAsString());
    assertEquals("client authentication failed: wrong client secret", body.get("error_description").getAsString());
  }

  @Test
  void invalidGrantIs400WithoutAChallenge() throws IOException {
    responses.tokenError(response, OAuthException.invalidGrant("the authorization code is invalid"));
    assertEquals(400, recorded.status);
    assertNull(recorded.headers.get("WWW-Authenticate"));
    assertEquals("invalid_grant", recorded.json().get("error").getAsString());
  }

  @Test
  void errorDescriptionKeepsToTheRfc6749Charset() throws IOException {
    responses.tokenError(response, OAuthException.invalidRequest("a \"quoted\" back\\slash, caf\u00e9\n"));
    assertEquals("a 'quoted' back'slash, caf??", recorded.json().get("error_description").getAsString());
  }

  // ---- bearer filter ----

  @Test
  void missingTokenIsABareChallenge() throws IOException {
    responses.bearerError(response, OAuthException.missingToken());
    assertEquals(401, recorded.status);
    assertEquals("Bearer realm=\"portcullis\"", recorded.headers.get("WWW-Authenticate"));
    assertFalse(recorded.json().has("error"));
  }

  @Test
  void invalidTokenChallengeNamesTheError() throws IOException {
    responses.bearerError(response, OAuthException.invalidToken("the access token is invalid, expired or revoked"));
    assertEquals(401, recorded.status);
    assertEquals("Bearer realm=\"portcullis\", error=\"invalid_token\", "
        + "error_description=\"the access token is invalid, expired or revoked\"", recorded.headers.get("WWW-Authenticate"));
  }

  @Test
  void insufficientScopeChallengeNamesTheScope() throws IOException {
    responses.bearerError(response, OAuthException.insufficientScope("orders"));
    assertEquals(403, recorded.status);
    String challenge = recorded.headers.get("WWW-Authenticate");
    assertTrue(challenge.startsWith("Bearer realm=\"portcullis\", error=\"insufficient_scope\", "), challenge);
    assertTrue(challenge.endsWith(", scope=\"orders\""), challenge);
    assertEquals("insufficient_scope", recorded.json().get("error").getAsString());
  }

  // ---- authorization endpoint ----

  @Test
  void redirectIsA302ToTheLocation() throws IOException {
    responses.authorize(response, new AuthorizeOutcome.Redirect("https://app.example/cb?code=abc&state=xyz"), "/x");
    assertEquals(302, recorded.status);
    assertEquals("https://app.example/cb?code=abc&state=xyz", recorded.headers.get("Location"));
    assertEquals("no-store", recorded.headers.get("Cache-Control"));
    assertEquals(0, recorded.body.size());
  }

  @Test
  void errorPageIsEscapedHtmlWithTheStatus() throws IOException {
    responses.authorize(response, new AuthorizeOutcome.ErrorPage(400, "invalid_request",
        "unknown client_id '<script>'"), "/x");
    assertEquals(400, recorded.status);
    assertEquals("text/html;charset=UTF-8", recorded.contentType);
    String page = recorded.text();
    assertTrue(page.contains("unknown client_id &#39;&lt;script&gt;&#39;"), page);
    assertFalse(page.contains("<script>"), page);
    assertEquals("DENY", recorded.headers.get("X-Frame-Options"));
    String csp = recorded.headers.get("Content-Security-Policy");
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertTrue(csp.endsWith("form-action 'self'"), csp);
  }

  @Test
  void approvalPageHoldsTheFormOfDesign13() throws IOException {
    ClientRegistration client = new ClientRegistration("app", StoredSecret.parse("{noop}x"), "Test <App>",
        List.of("https://app.example:8443/cb"), Set.of("email", "orders"), true, Duration.ofHours(1));
    responses.authorize(response, new AuthorizeOutcome.ShowApproval(client, List.of("email", "orders"),
        "t".repeat(64), "c".repeat(64), "https://app.example:8443/cb", 401, "The username or password is incorrect."),
        "/ctx/invoke/pub.apigateway.oauth2/authorize");
    assertEquals(401, recorded.status);
    String page = recorded.text();
    assertTrue(page.contains("Test &lt;App&gt;"), "names the client, escaped");
    assertTrue(page.contains("<code>email</code>") && page.contains("<code>orders</code>"), "lists the scopes");
    assertTrue(page.contains("The username or password is incorrect."), "shows the message");
    assertEquals(1, count(page, "<form method=\"post\""));
    assertTrue(page.contains("action=\"/ctx/invoke/pub.apigateway.oauth2/authorize\""), page);
    assertTrue(page.contains("name=\"username\""));
    assertTrue(page.contains("name=\"password\""));
    assertTrue(page.contains("<input type=\"hidden\" name=\"transaction_id\" value=\"" + "t".repeat(64) + "\">"));
    assertTrue(page.contains("<input type=\"hidden\" name=\"csrf_token\" value=\"" + "c".repeat(64) + "\">"));
    assertTrue(page.contains("name=\"decision\" value=\"approve\""));
    assertTrue(page.contains("name=\"decision\" value=\"deny\""));
    String csp = recorded.headers.get("Content-Security-Policy");
    assertTrue(csp.endsWith("form-action 'self' https://app.example:8443"), csp);
    Matcher nonce = Pattern.compile("style-src 'nonce-([^']+)'").matcher(csp);
    assertTrue(nonce.find(), csp);
    assertTrue(page.contains("<style nonce=\"" + nonce.group(1) + "\">"), "the page's style carries the CSP nonce");
  }

  @Test
  void approvalPageStatesScopesInPlainWordsWhereTheConfigGivesThem() throws IOException {
    Responses described = new Responses("portcullis", Map.of("email", "See your <email> address"));
    ClientRegistration client = new ClientRegistration("app", StoredSecret.parse("{noop}x"), "App",
        List.of("https://app.example/cb"), Set.of("email", "orders"), true, Duration.ofHours(1));
    described.authorize(response, new AuthorizeOutcome.ShowApproval(client, List.of("email", "orders"),
        "t".repeat(64), "c".repeat(64), "https://app.example/cb", 200, null), "/authorize");
    String page = recorded.text();
    assertTrue(page.contains("<li><span class=\"words\">See your &lt;email&gt; address</span> <code>email</code></li>"),
        page);
    assertTrue(page.contains("<li><code>orders</code></li>"), "a scope without words is shown by name");
  }

  @Test
  void approvalPageWithoutScopesOrMessage() throws IOException {
    ClientRegistration client = new ClientRegistration("app", StoredSecret.parse("{noop}x"), "App",
        List.of("https://app.example/cb"), Set.of(), true, Duration.ofHours(1));
    responses.authorize(response, new AuthorizeOutcome.ShowApproval(client, List.of(), "t", "c",
        "https://app.example/cb", 200, null), "/authorize");
    String page = recorded.text();
    assertTrue(page.contains("It asks for no particular permissions."), page);
    assertFalse(page.contains("role=\"alert\""), page);
  }

  @Test
  void formActionSourceIsTheOriginOrTheScheme() {
    assertEquals("https://app.example", Responses.formActionSource("https://app.example/cb?x=1"));
    assertEquals("https://app.example:8443", Responses.formActionSource("https://app.example:8443/cb"));
    assertEquals("http://host", Responses.formActionSource("http://user:pw@host/cb"));
    assertEquals("com.example.app:", Responses.formActionSource("com.example.app:/oauth2redirect"));
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  /** A response that records what a servlet sets on it; only the methods Responses uses. */
  static final class RecordedResponse {
    int status = -1;
    String contentType;
    long contentLength = -1;
    final Map<String, String> headers = new LinkedHashMap<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();

    HttpServletResponse proxy() {
      ServletOutputStream out = new ServletOutputStream() {
        @Override
        public void write(int b) {
          body.write(b);
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          throw new UnsupportedOperationException();
        }
      };
      return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {HttpServletResponse.class}, (self, method, args) -> {
            switch (method.getName()) {
              case "setStatus" -> status = (Integer) args[0];
              case "setHeader" -> headers.put((String) args[0], (String) args[1]);
              case "setContentType" -> contentType = (String) args[0];
              case "setContentLength" -> contentLength = (Integer) args[0];
              case "getOutputStream" -> {
                return out;
              }
              default -> throw new UnsupportedOperationException(method.getName());
            }
            return null;
          });
    }

    String text() {
      return body.toString(StandardCharsets.UTF_8);
    }

    JsonObject json() {
      return JsonParser.parseString(text()).getAsJsonObject();
    }
  }
}
