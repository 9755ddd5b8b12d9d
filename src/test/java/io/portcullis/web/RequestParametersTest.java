package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.Parameters;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParametersTest {

  static final String FORM = "application/x-www-form-urlencoded";
  static final String JSON = "application/json";

  // ---- query strings ----

  @Test
  void queryParametersAreDecoded() {
    Parameters p = RequestParameters.query(get("a=1&b=x+y&c=%2B%26%3D&d=%C3%A9t%C3%A9&e=caf%c3%a9"));
    assertEquals("1", p.get("a"));
    assertEquals("x y", p.get("b"));
    assertEquals("+&=", p.get("c"));
    assertEquals("été", p.get("d"));
    assertEquals("café", p.get("e"), "lowercase hex digits are fine");
  }

  @Test
  void noQueryStringMeansNoParameters() {
    assertEquals(Set.of(), RequestParameters.query(get(null)).names());
    assertEquals(Set.of(), RequestParameters.query(get("")).names());
  }

  @Test
  void emptyPairsAreSkippedAndNameWithoutValueIsAbsent() {
    Parameters p = RequestParameters.query(get("&&a=1&&b&c=&"));
    assertEquals(Set.of("a", "b", "c"), p.names());
    assertNull(p.get("b"), "a name without a value counts as absent (RFC 6749 §3.1)");
    assertNull(p.get("c"));
  }

  @Test
  void duplicatesAreKeptAndRefusedOnRead() {
    Parameters p = RequestParameters.query(get("scope=a&state=s&scope=b"));
    assertTrue(p.isRepeated("scope"));
    assertFalse(p.isRepeated("state"));
    assertEquals("scope", p.firstRepeated());
    assertInvalidRequest(() -> p.get("scope"), "the parameter scope was given more than once");
    assertEquals("s", p.get("state"));
  }

  @Test
  void duplicatesAreKeptEvenWhenEqual() {
    Parameters p = RequestParameters.query(get("code=x&code=x"));
    assertTrue(p.isRepeated("code"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a=%", "a=%4", "a=x%", "a=%zz", "a=%G1", "a=%-1", "%=1", "a%2=1", "a=%%41"})
  void malformedEscapesAreRefused(String query) {
    assertInvalidRequest(() -> RequestParameters.query(get(query)), "the request has a malformed %-escape");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a=%C3", "a=%FF", "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "%C3=1"})
  void invalidUtf8IsRefused(String query) {
    assertInvalidRequest(() -> RequestParameters.query(get(query)), "a parameter is not valid UTF-8");
  }

  @ParameterizedTest
  @ValueSource(strings = {"%00", "%0A", "%0D", "%09", "%1F", "%7F", "%C2%80", "%C2%85", "%C2%9F", "x%00y"})
  void controlCharactersInValuesAreRefused(String escaped) {
    // Decoded, but refused when read: the authorization endpoint decides how to answer.
    assertInvalidRequest(() -> RequestParameters.query(get("state=" + escaped)).get("state"),
        "the parameter state contains control characters");
  }

  @Test
  void controlCharactersInNamesAreRefused() {
    assertInvalidRequest(() -> RequestParameters.query(get("st%0Aate=1")),
        "a parameter name is too long or contains control characters");
  }

  @Test
  void nonAsciiBeyondControlsIsAccepted() {
    // U+00A0 follows the C1 block; U+1F600 needs a surrogate pair in Java.
    Parameters p = RequestParameters.query(get("a=%C2%A0&b=%F0%9F%98%80"));
    assertEquals("\u00a0", p.get("a"));
    assertEquals("\uD83D\uDE00", p.get("b"));
  }

  @Test
  void rawNonAsciiCharactersSurviveNextToEscapes() {
    // Some clients send UTF-8 unescaped; it must decode the same whether or not an escape is nearby.
    Parameters p = RequestParameters.query(get("a=J%C3%B6rg+\uD83D\uDE00&b=\uD83D\uDE00&c=\u00e9+x"));
    assertEquals("Jörg \uD83D\uDE00", p.get("a"));
    assertEquals("\uD83D\uDE00", p.get("b"));
    assertEquals("é x", p.get("c"));
  }

  @Test
  void loneSurrogateNextToAnEscapeIsRefused() {
    assertInvalidRequest(() -> RequestParameters.query(get("a=%41\uD83D")), "a parameter is not valid UTF-8");
    assertInvalidRequest(() -> RequestParameters.query(get("a=\uDE00+")), "a parameter is not valid UTF-8");
  }

  @Test
  void valueLengthIsBounded() {
    String max = "v".repeat(RequestParameters.MAX_VALUE_LENGTH);
    assertEquals(max, RequestParameters.query(get("a=" + max)).get("a"));
    assertInvalidRequest(() -> RequestParameters.query(get("a=" + max + "v")),
        "a parameter is longer than 4096 characters");
  }

  @Test
  void escapedValueLengthCountsDecodedCharacters() {
    String max = "%41".repeat(RequestParameters.MAX_VALUE_LENGTH);
    assertEquals("A".repeat(4096), RequestParameters.query(get("a=" + max)).get("a"));
  }

  @Test
  void nameLengthIsBounded() {
    String max = "n".repeat(RequestParameters.MAX_NAME_LENGTH);
    assertEquals(Set.of(max), RequestParameters.query(get(max + "=1")).names());
    assertInvalidRequest(() -> RequestParameters.query(get(max + "n=1")),
        "a parameter name is too long or contains control characters");
  }

  @Test
  void numberOfParametersIsBounded() {
    assertEquals(64, RequestParameters.query(get(pairs(64))).names().size());
    assertInvalidRequest(() -> RequestParameters.query(get(pairs(65))), "the request has more than 64 parameters");
  }

  @Test
  void repeatsOfOneNameCountTowardsTheBound() {
    assertInvalidRequest(() -> RequestParameters.query(get("a=1" + "&a=1".repeat(64))),
        "the request has more than 64 parameters");
  }

  // ---- form bodies ----

  @Test
  void formBodyIsDecoded() throws IOException {
    Parameters p = RequestParameters.body(post(FORM, "grant_type=authorization_code&code=abc&redirect_uri="
        + "https%3A%2F%2Fapp.example%2Fcb"), true);
    assertEquals("authorization_code", p.get("grant_type"));
    assertEquals("abc", p.get("code"));
    assertEquals("https://app.example/cb", p.get("redirect_uri"));
  }

  @Test
  void contentTypeParametersAndCaseAreTolerated() throws IOException {
    assertEquals("1", RequestParameters.body(post("Application/X-WWW-Form-Urlencoded; charset=UTF-8", "a=1"), false)
        .get("a"));
    assertEquals("1", RequestParameters.body(post(FORM + ";charset=\"utf-8\"", "a=1"), false).get("a"));
    assertEquals("1", RequestParameters.body(post(JSON + "; charset=utf-8", "{\"a\":\"1\"}"), true).get("a"));
  }

  @Test
  void aContentTypeOfSeparatorsAloneIsRefused() {
    for (String contentType : new String[] {";", ";;", " ; ", ";charset=utf-8"}) {
      assertInvalidRequest(() -> RequestParameters.body(post(contentType, "a=1"), true),
          "the request's Content-Type is not accepted; send application/x-www-form-urlencoded or application/json");
    }
  }

  @Test
  void otherCharsetsAreRefused() {
    assertInvalidRequest(() -> RequestParameters.body(post(FORM + "; charset=UTF-16", "a=1"), true),
        "the request's charset is not supported; send UTF-8");
    // Bodies are always decoded as UTF-8, so a Latin-1 label would be misread rather than honoured.
    assertInvalidRequest(() -> RequestParameters.body(post(FORM + "; charset=ISO-8859-1", "a=1"), true),
        "the request's charset is not supported; send UTF-8");
    assertEquals("1", assertDoesNotThrow(() -> RequestParameters.body(post(FORM + "; charset=us-ascii", "a=1"), true))
        .get("a"));
  }

  @Test
  void queryAndBodyAreOneSetOfParameters() throws IOException {
    Parameters p = RequestParameters.body(post("x=1&code=q", FORM, "code=b".getBytes(StandardCharsets.UTF_8), 6), true);
    assertEquals("1", p.get("x"));
    assertTrue(p.isRepeated("code"), "a name in both query and body is a repeated parameter");
  }

  @Test
  void bodyThatIsNotUtf8IsRefused() {
    byte[] body = {'a', '=', (byte) 0xff};
    assertInvalidRequest(() -> RequestParameters.body(post(null, FORM, body, body.length), true),
        "the request body is not valid UTF-8");
  }

  // ---- content types ----

  @Test
  void wrongContentTypeIsRefused() {
    assertInvalidRequest(() -> RequestParameters.body(post("text/plain", "a=1"), true),
        "the request's Content-Type is not accepted; send application/x-www-form-urlencoded or application/json");
    assertInvalidRequest(() -> RequestParameters.body(post("multipart/form-data; boundary=x", "a=1"), false),
        "the request's Content-Type is not accepted; send application/x-www-form-urlencoded");
  }

  @Test
  void missingContentTypeIsRefused() {
    assertInvalidRequest(() -> RequestParameters.body(post(null, "a=1"), true),
        "the request has no Content-Type; send application/x-www-form-urlencoded or application/json");
    assertInvalidRequest(() -> RequestParameters.body(post("  ", "a=1"), false),
        "the request has no Content-Type; send application/x-www-form-urlencoded");
  }

  @Test
  void jsonIsRefusedWhereOnlyFormsAreAccepted() {
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, "{\"a\":\"1\"}"), false),
        "the request's Content-Type is not accepted; send application/x-www-form-urlencoded");
  }

  @Test
  void refusedContentTypeIsReadAndDropped() throws IOException {
    // Drained so that the connection stays usable for the client's next request.
    HttpServletRequest request = post("text/plain", "a=1");
    assertThrows(OAuthException.class, () -> RequestParameters.body(request, true));
    verify(request).getInputStream();
  }

  // ---- JSON bodies ----

  @Test
  void jsonBodyFieldsBecomeParameters() throws IOException {
    Parameters p = RequestParameters.body(post(JSON, """
        {"redirect_uri":"http://test.com","scope":"email","grant_type":"authorization_code",
         "code":"abc","code_verifier":"v","client_id":"id","ignored":null}
        """), true);
    assertEquals(Set.of("redirect_uri", "scope", "grant_type", "code", "code_verifier", "client_id"), p.names());
    assertEquals("http://test.com", p.get("redirect_uri"));
    assertNull(p.get("ignored"), "null is absent");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "1.5", "true", "false", "{}", "{\"x\":\"y\"}", "[]", "[\"a\"]"})
  void jsonNonStringValuesAreRefused(String value) {
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, "{\"code\":" + value + "}"), true),
        "the parameter code must be a JSON string");
  }

  @Test
  void jsonNonStringFieldWithAnUnknownNameIsNotEchoed() {
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, "{\"a\\u0000b\":1}"), true),
        "a parameter must be a JSON string");
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, "{\"" + "n".repeat(41) + "\":1}"), true),
        "a parameter must be a JSON string");
  }

  @Test
  void jsonDuplicateKeysAreARepeatedParameter() {
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, "{\"code\":\"a\",\"code\":\"b\"}"), true),
        "the parameter code was given more than once");
  }

  @Test
  void jsonKeyAlsoInTheQueryIsRepeated() throws IOException {
    Parameters p = RequestParameters.body(post("code=q", JSON, "{\"code\":\"b\"}".getBytes(StandardCharsets.UTF_8), -1),
        true);
    assertTrue(p.isRepeated("code"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{", "{\"code\":\"a\",}", "{'code':'a'}", "{\"code\":\"a\"} x", "{/*c*/}"})
  void malformedJsonIsRefused(String body) {
    OAuthException e = assertThrows(OAuthException.class, () -> RequestParameters.body(post(JSON, body), true));
    assertEquals("invalid_request", e.error());
    assertEquals(400, e.status());
    assertTrue(e.description().startsWith("the body is not valid JSON: "), e.description());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"code\"", "null", "42"})
  void jsonThatIsNotAnObjectIsRefused(String body) {
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, body), true),
        "the JSON body must be an object of string fields");
  }

  @Test
  void jsonValuesObeyTheSameRulesAsForms() {
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, "{\"state\":\"a\\u0000b\"}"), true).get("state"),
        "the parameter state contains control characters");
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, "{\"state\":\"" + "x".repeat(4097) + "\"}"), true),
        "the parameter state is longer than 4096 characters");
    String many = IntStream.range(0, 65).mapToObj(i -> "\"p" + i + "\":\"v\"").collect(Collectors.joining(",", "{", "}"));
    assertInvalidRequest(() -> RequestParameters.body(post(JSON, many), true), "the request has more than 64 parameters");
  }

  // ---- size ----

  @Test
  void bodyUpToTheLimitIsRead() throws IOException {
    // Four values of 4000 characters, then one that fills the body to exactly the limit.
    StringBuilder body = new StringBuilder();
    for (String name : List.of("a", "b", "c", "d")) {
      body.append(body.length() == 0 ? "" : "&").append(name).append('=').append("x".repeat(4000));
    }
    body.append("&e=");
    body.append("y".repeat(RequestParameters.MAX_BODY_BYTES - body.length()));
    assertEquals(RequestParameters.MAX_BODY_BYTES, body.length());
    assertEquals(Set.of("a", "b", "c", "d", "e"), RequestParameters.body(post(FORM, body.toString()), true).names());
  }

  @Test
  void declaredOversizedBodyIs413AfterDrainingIt() throws IOException {
    // Drained (not kept) so that a client still sending sees the 413, not a reset connection.
    byte[] body = "a=1".getBytes(StandardCharsets.UTF_8);
    HttpServletRequest request = post(null, FORM, body, RequestParameters.MAX_BODY_BYTES + 1L);
    assertTooLarge(() -> RequestParameters.body(request, true));
    verify(request).getInputStream();
  }

  @Test
  void undeclaredOversizedBodyIs413() {
    byte[] body = ("a=" + "x".repeat(RequestParameters.MAX_BODY_BYTES)).getBytes(StandardCharsets.UTF_8);
    assertTooLarge(() -> RequestParameters.body(post(null, FORM, body, -1), true));
  }

  @Test
  void underDeclaredOversizedBodyIs413() {
    byte[] body = ("{\"a\":\"" + "x".repeat(RequestParameters.MAX_BODY_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertTooLarge(() -> RequestParameters.body(post(null, JSON, body, 10), true));
  }

  // ---- helpers ----

  private static void assertTooLarge(Executable call) {
    OAuthException e = assertThrows(OAuthException.class, call);
    assertEquals("invalid_request", e.error());
    assertEquals(413, e.status());
    assertEquals("the request body is larger than 16384 bytes", e.description());
  }

  private static void assertInvalidRequest(Executable call, String description) {
    OAuthException e = assertThrows(OAuthException.class, call);
    assertEquals("invalid_request", e.error());
    assertEquals(400, e.status());
    assertEquals(description, e.description());
  }

  private static String pairs(int n) {
    return IntStream.range(0, n).mapToObj(i -> "p" + i + "=v").collect(Collectors.joining("&"));
  }

  static HttpServletRequest get(String query) {
    HttpServletRequest request = mock(HttpServletRequest.class);
    when(request.getMethod()).thenReturn("GET");
    when(request.getQueryString()).thenReturn(query);
    return request;
  }

  static HttpServletRequest post(String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return post(null, contentType, bytes, bytes.length);
  }

  /** @param declaredLength the Content-Length header; -1 when the body is chunked */
  static HttpServletRequest post(String query, String contentType, byte[] body, long declaredLength) {
    HttpServletRequest request = mock(HttpServletRequest.class);
    when(request.getMethod()).thenReturn("POST");
    when(request.getQueryString()).thenReturn(query);
    when(request.getHeader("Content-Type")).thenReturn(contentType);
    when(request.getContentLengthLong()).thenReturn(declaredLength);
    try {
      when(request.getInputStream()).thenReturn(new BytesInputStream(body));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return request;
  }

  /** A request body; hands out at most 1000 bytes per read, as a network stream may. */
  static final class BytesInputStream extends ServletInputStream {
    private final ByteArrayInputStream in;

    BytesInputStream(byte[] body) {
      this.in = new ByteArrayInputStream(body);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, Math.min(len, 1000));
    }

    @Override
    public boolean isFinished() {
      return in.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new UnsupportedOperationException("blocking reads only");
    }
  }
}
