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
    write(response, status, body.toString());
  }

  /** {@code json} as the body: one JSON object, already written. */
  static void write(HttpServletResponse response, int status, String json) throws IOException {
    response.setStatus(status);
    noStore(response);
    // Never sniffed into something a browser would render or run.
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setContentType("application/json;charset=UTF-8");
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /**
   * Appends {@code value} as a JSON string, escaped as Gson escapes it: quotes, backslashes,
   * control characters and the two line separators JavaScript treats as line ends; everything
   * else as it is.
   */
  static StringBuilder quote(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c == '\t' || c == '\b' || c == '\n' || c == '\r' || c == '\f') {
        out.append('\\').append(c == '\t' ? 't' : c == '\b' ? 'b' : c == '\n' ? 'n' : c == '\r' ? 'r' : 'f');
      } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"');
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
