package io.portcullis.tools.webmethods;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads values the way webMethods writes them: a number may come as a JSON number or as a string
 * of digits ({@code "expirationInterval": "3600"}), a list as a JSON list or as one string of
 * names separated by spaces or commas (10.1's {@code scopes}). Absent and {@code null} are both
 * "not stated", so that the next source of a field may be asked.
 */
final class GatewayValues {
  private GatewayValues() {}

  /** The object under {@code key}, or an empty one when absent or not an object. */
  static JsonObject object(JsonObject parent, String key) {
    JsonElement value = parent == null ? null : parent.get(key);
    return value != null && value.isJsonObject() ? value.getAsJsonObject() : new JsonObject();
  }

  /** A string or number under {@code key} as text; null when absent, null, or of another kind. */
  static String text(JsonObject parent, String key) {
    JsonElement value = parent.get(key);
    if (value instanceof JsonPrimitive p && (p.isString() || p.isNumber())) {
      return p.getAsString();
    }
    return null;
  }

  /** The first of {@code keys} that {@link #text} finds, in order. */
  static String firstText(JsonObject parent, String... keys) {
    for (String key : keys) {
      String value = text(parent, key);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  /** A boolean under {@code key}, or {@code "true"}/{@code "false"} as text; null otherwise. */
  static Boolean bool(JsonObject parent, String key) {
    JsonElement value = parent.get(key);
    if (value instanceof JsonPrimitive p && (p.isBoolean() || p.isString())) {
      String text = p.getAsString();
      if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
        return Boolean.valueOf(text.toLowerCase(java.util.Locale.ROOT));
      }
    }
    return null;
  }

  /**
   * A list of names under {@code key}: a JSON list of strings, or one string split at spaces and
   * commas. Null when absent; elements that are not strings are left out.
   */
  static List<String> texts(JsonObject parent, String key) {
    JsonElement value = parent.get(key);
    if (value == null || value.isJsonNull()) {
      return null;
    }
    List<String> values = new ArrayList<>();
    if (value instanceof JsonPrimitive p && p.isString()) {
      for (String part : p.getAsString().split("[\\s,]+")) {
        if (!part.isEmpty()) {
          values.add(part);
        }
      }
    } else if (value instanceof JsonArray array) {
      for (JsonElement element : array) {
        if (element instanceof JsonPrimitive p && p.isString()) {
          values.add(p.getAsString());
        }
      }
    }
    return values;
  }

  /** The first of {@code keys} that {@link #texts} finds, in order. */
  static List<String> firstTexts(JsonObject parent, String... keys) {
    for (String key : keys) {
      List<String> value = texts(parent, key);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  /** {@code preferred} unless it is null. */
  static <T> T or(T preferred, T fallback) {
    return preferred != null ? preferred : fallback;
  }
}
