package io.portcullis.web;

import com.google.gson.JsonObject;
import io.portcullis.oauth.OAuthException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A JSON answer that no cache keeps and no browser sniffs into something else. */
final class JsonResponse {
  private JsonResponse() {}

  static void write(HttpServletResponse response, int status, JsonObject body) throws IOException {
    response.setStatus(status);
    noStore(response);
    // Never sniffed into something a browser would render or run.
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setContentType("application/json;charset=UTF-8");
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** RFC 6749 §5.2: {@code {"error": …, "error_description": …}}. */
  static JsonObject errorBody(OAuthException e) {
    JsonObject body = new JsonObject();
    body.addProperty("error", e.error());
    body.addProperty("error_description", e.description());
    return body;
  }

  static void noStore(HttpServletResponse response) {
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("Pragma", "no-cache");
  }
}
