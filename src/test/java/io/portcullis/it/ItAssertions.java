package io.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;

/** The shapes of Portcullis' answers (DESIGN 1.3–1.6), checked the same way in every test. */
final class ItAssertions {

  private ItAssertions() {}

  /** No stack trace and no Java class name ever reaches a client (DESIGN 1.6). */
  static void assertNoInternals(String body) {
    assertFalse(body.contains("Exception"), () -> "the body names an exception:\n" + body);
    assertFalse(body.contains("at io.portcullis"), () -> "the body holds a stack trace:\n" + body);
    assertFalse(body.contains("io.portcullis."), () -> "the body names a class:\n" + body);
    assertFalse(body.contains("org.eclipse.jetty"), () -> "the body names a Jetty class:\n" + body);
  }

  /** A token endpoint error (RFC 6749 §5.2): status, JSON error code, description, no caching. */
  static JsonObject assertTokenError(HttpResponse<String> response, int status, String error) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        () -> "Content-Type " + response.headers().firstValue("Content-Type"));
    assertNoStore(response);
    assertNoInternals(response.body());
    JsonObject json = OAuthClient.json(response);
    assertEquals(error, json.get("error").getAsString(), response.body());
    assertNotNull(json.get("error_description"), "an error_description a person can act on");
    assertFalse(json.get("error_description").getAsString().isBlank());
    return json;
  }

  /** 401 invalid_client with the Basic challenge (RFC 6749 §5.2). */
  static void assertInvalidClient(HttpResponse<String> response) {
    assertTokenError(response, 401, "invalid_client");
    String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
    assertTrue(challenge.startsWith("Basic realm=\"portcullis\""), challenge);
  }

  static void assertNoStore(HttpResponse<String> response) {
    assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(null), "Cache-Control");
    assertEquals("no-cache", response.headers().firstValue("Pragma").orElse(null), "Pragma");
  }

  /**
   * The authorization endpoint's HTML error page: never a redirect, because the client or the
   * redirect URI cannot be trusted (RFC 6749 §4.1.2.1).
   */
  static void assertErrorPage(HttpResponse<String> response, int status, String error) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Location").isEmpty(),
        () -> "an error page must not redirect: " + response.headers().firstValue("Location"));
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
        () -> "Content-Type " + response.headers().firstValue("Content-Type"));
    assertTrue(response.body().contains("error: " + error), response.body());
    assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(null), "X-Frame-Options");
    assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(null), "Cache-Control");
    assertNoInternals(response.body());
  }

  /**
   * An error sent back to the client (RFC 6749 §4.1.2.1): 302 to the redirect URI with error,
   * error_description and, when one was sent, state.
   */
  static Map<String, String> assertErrorRedirect(
      HttpResponse<String> response, String redirectUri, String error, String state) {
    assertEquals(302, response.statusCode(), response.body());
    String location = response.headers().firstValue("Location").orElseThrow();
    assertTrue(location.startsWith(redirectUri + "?"), location);
    Map<String, String> parameters = OAuthClient.redirectParameters(response);
    assertEquals(error, parameters.get("error"), location);
    assertNotNull(parameters.get("error_description"), location);
    assertFalse(parameters.containsKey("code"), location);
    assertEquals(state, parameters.get("state"), location);
    return parameters;
  }
}
