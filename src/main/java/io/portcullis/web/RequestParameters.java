package io.portcullis.web;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import io.portcullis.json.StrictJson;
import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.Parameters;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place where HTTP requests become {@link Parameters}: query strings, form bodies and JSON
 * bodies are all decoded here, by our own strict rules rather than each container's, so duplicates,
 * bad encodings, control characters and oversized input are refused the same way on Tomcat and Jetty.
 */
final class RequestParameters {

  /** The largest request body read; OAuth requests are a few hundred bytes. */
  static final int MAX_BODY_BYTES = 16 * 1024;
  /** How much of an oversized body is read and dropped before the 413 (see {@link #drain}). */
  static final int MAX_DRAINED_BYTES = 1024 * 1024;
  static final int MAX_PARAMETERS = 64;
  static final int MAX_NAME_LENGTH = 128;
  static final int MAX_VALUE_LENGTH = 4096;

  static final String FORM = "application/x-www-form-urlencoded";
  static final String JSON = "application/json";

  private RequestParameters() {}

  /** The query string's parameters. */
  static Parameters query(HttpServletRequest request) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    String query = request.getQueryString();
    if (query != null) {
      decodeForm(query, values);
    }
    return new Parameters(values);
  }

  /**
   * A POST body, form-urlencoded or (when {@code allowJson}) JSON, plus the query string's
   * parameters, all in one map so a name sent in both counts as repeated.
   */
  static Parameters body(HttpServletRequest request, boolean allowJson) throws IOException {
    // Read first, whatever follows: a body left unread when the answer goes out makes the
    // container close the connection, and a client that reuses it for its next request fails.
    return body(request, readBody(request), allowJson);
  }

  /** Like {@link #body(HttpServletRequest, boolean)}, for a body already read ({@link BodyReader}). */
  static Parameters body(HttpServletRequest request, byte[] body, boolean allowJson) {
    // The header as sent: containers parse its charset on getContentType() and some throw for
    // one they do not know (Jetty: UnsupportedCharsetException), before we could refuse it.
    String mediaType = mediaType(request.getHeader("Content-Type"));
    Map<String, List<String>> values = new LinkedHashMap<>();
    if (request.getQueryString() != null) {
      decodeForm(request.getQueryString(), values);
    }
    if (FORM.equals(mediaType)) {
      decodeForm(utf8(body, "the request body"), values);
    } else if (allowJson && JSON.equals(mediaType)) {
      decodeJson(utf8(body, "the request body"), values);
    } else {
      throw OAuthException.invalidRequest((mediaType == null ? "the request has no Content-Type"
          : "the request's Content-Type is not accepted") + "; send " + FORM + (allowJson ? " or " + JSON : ""));
    }
    return new Parameters(values);
  }

  /** {@code application/json; charset=utf-8} → {@code application/json}; charset other than UTF-8 refused. */
  private static String mediaType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return null;
    }
    // -1: keep empty parts, so ";" is an empty type rather than no parts at all (found by fuzzing).
    String[] parts = contentType.split(";", -1);
    String type = parts[0].trim().toLowerCase(Locale.ROOT);
    for (int i = 1; i < parts.length; i++) {
      String[] param = parts[i].trim().split("=", 2);
      if (param.length == 2 && param[0].trim().equalsIgnoreCase("charset")) {
        String charset = param[1].trim().replace("\"", "");
        // Bodies are decoded as UTF-8; US-ASCII is a subset of it, anything else would be misread.
        if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("us-ascii")) {
          throw OAuthException.invalidRequest("the request's charset is not supported; send UTF-8");
        }
      }
    }
    return type;
  }

  /** The whole body, the blocking way; 413 above {@link #MAX_BODY_BYTES}. */
  static byte[] readBody(HttpServletRequest request) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try (InputStream in = request.getInputStream()) {
      if (request.getContentLengthLong() > MAX_BODY_BYTES) {
        drain(in, buffer);
        throw tooLarge();
      }
      int n;
      while ((n = in.read(buffer)) > 0) {
        if (body.size() + n > MAX_BODY_BYTES) {
          drain(in, buffer);
          throw tooLarge();
        }
        body.write(buffer, 0, n);
      }
    }
    return body.toByteArray();
  }

  /**
   * Reads and drops what is left of a refused body, up to {@link #MAX_DRAINED_BYTES}: a client
   * still sending when the answer comes and the connection closes would see a reset instead of
   * the 413. Anything longer is cut off by closing the connection.
   */
  private static void drain(InputStream in, byte[] buffer) throws IOException {
    long drained = 0;
    int n;
    while (drained < MAX_DRAINED_BYTES && (n = in.read(buffer)) > 0) {
      drained += n;
    }
  }


  static OAuthException tooLarge() {
    return OAuthException.of("invalid_request", 413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
  }

  /** application/x-www-form-urlencoded, strictly: bad %-escapes and invalid UTF-8 are refused. */
  static void decodeForm(String encoded, Map<String, List<String>> values) {
    if (encoded.isEmpty()) {
      return;
    }
    for (String pair : encoded.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1));
      add(values, name, value);
    }
  }

  private static void decodeJson(String body, Map<String, List<String>> values) {
    JsonElement root;
    try {
      root = StrictJson.parse(body);
    } catch (StrictJson.MalformedJsonException e) {
      String problem = e.getMessage();
      if (problem.startsWith("$.") && problem.contains("appears more than once")) {
        throw OAuthException.invalidRequest(Parameters.named(problem.substring(2, problem.indexOf(':')))
            + " was given more than once");
      }
      throw OAuthException.invalidRequest("the body is not valid JSON: " + e.withoutInput());
    }
    if (!root.isJsonObject()) {
      throw OAuthException.invalidRequest("the JSON body must be an object of string fields");
    }
    for (Map.Entry<String, JsonElement> field : root.getAsJsonObject().entrySet()) {
      JsonElement value = field.getValue();
      if (value.isJsonNull()) {
        continue;
      }
      if (!(value instanceof JsonPrimitive p) || !p.isString()) {
        throw OAuthException.invalidRequest(Parameters.named(field.getKey()) + " must be a JSON string");
      }
      add(values, field.getKey(), p.getAsString());
    }
  }

  private static void add(Map<String, List<String>> values, String name, String value) {
    if (name.length() > MAX_NAME_LENGTH || !Parameters.isClean(name)) {
      throw OAuthException.invalidRequest("a parameter name is too long or contains control characters");
    }
    if (value.length() > MAX_VALUE_LENGTH) {
      throw OAuthException.invalidRequest(Parameters.named(name) + " is longer than " + MAX_VALUE_LENGTH + " characters");
    }
    int count = 0;
    for (List<String> named : values.values()) {
      count += named.size();
    }
    if (count >= MAX_PARAMETERS) {
      throw OAuthException.invalidRequest("the request has more than " + MAX_PARAMETERS + " parameters");
    }
    values.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
  }

  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+') {
        bytes.write(' ');
      } else if (c == '%') {
        if (i + 2 >= s.length()) {
          throw malformedEscape();
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw malformedEscape();
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c > 0x7f) {
        // Whole code points: encoding half a surrogate pair on its own would yield '?'.
        int end = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
            ? i + 2 : i + 1;
        if (Character.isSurrogate(c) && end == i + 1) {
          throw OAuthException.invalidRequest("a parameter is not valid UTF-8");
        }
        byte[] encoded = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
        i = end - 1;
      } else {
        bytes.write(c);
      }
    }
    return utf8(bytes.toByteArray(), "a parameter");
  }

  private static OAuthException malformedEscape() {
    return OAuthException.invalidRequest("the request has a malformed %-escape");
  }

  private static String utf8(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw OAuthException.invalidRequest(what + " is not valid UTF-8");
    }
  }
}
