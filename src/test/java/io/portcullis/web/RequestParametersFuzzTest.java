package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.Parameters;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;

/**
 * Coverage-guided fuzzing of the one place requests become parameters: query strings, form and
 * JSON bodies under any {@code Content-Type}. Whatever arrives is either parameters whose every
 * value reads back or is refused as {@code invalid_request} (400, or 413), with a description in
 * RFC 6749's character set — never another exception, which the servlet would turn into a 500.
 */
class RequestParametersFuzzTest {

  static final String[] CONTENT_TYPES = {"application/x-www-form-urlencoded", "application/json",
      "application/json; charset=utf-8", "application/x-www-form-urlencoded;charset=\"UTF-8\"", "text/plain", ""};

  @FuzzTest(maxDuration = "60s")
  void anyRequestIsParametersOrInvalidRequest(FuzzedDataProvider data) {
    String query = data.consumeBoolean() ? data.consumeString(200) : null;
    String contentType = data.consumeBoolean() ? data.pickValue(CONTENT_TYPES) : data.consumeString(60);
    boolean allowJson = data.consumeBoolean();
    byte[] body = data.consumeRemainingAsBytes();
    HttpServletRequest request = request(query, contentType);
    try {
      Parameters parameters = RequestParameters.body(request, body, allowJson);
      for (String name : parameters.names()) {
        try {
          parameters.get(name);
        } catch (OAuthException refused) {
          assertRefusal(refused);
        }
      }
    } catch (OAuthException refused) {
      assertRefusal(refused);
    }
    try {
      RequestParameters.query(request);
    } catch (OAuthException refused) {
      assertRefusal(refused);
    }
  }

  static void assertRefusal(OAuthException refused) {
    assertEquals("invalid_request", refused.error());
    assertTrue(refused.status() == 400 || refused.status() == 413, refused.status() + " " + refused.description());
    assertTrue(refused.description().chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\'),
        refused.description());
  }

  /** Only what {@link RequestParameters} asks of a request. */
  static HttpServletRequest request(String query, String contentType) {
    return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
        new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getQueryString" -> query;
          case "getHeader" -> "Content-Type".equalsIgnoreCase((String) args[0]) ? contentType : null;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
