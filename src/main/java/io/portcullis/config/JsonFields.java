package io.portcullis.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One JSON object of the config being read, and its JSON path: typed getters report a wrong value
 * under the path of its key, and the object remembers which keys were used so it can report the
 * rest as unknown.
 */
final class JsonFields {
  private final JsonObject object;
  private final String path;
  private final ConfigProblems problems;
  private final Set<String> used = new HashSet<>();

  /** @param path where the object is, {@code ""} for the top of the file */
  JsonFields(JsonObject object, String path, ConfigProblems problems) {
    this.object = object;
    this.path = path;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The path of element {@code index} of the list under {@code key}. */
  String at(String key, int index) {
    return at(key) + "[" + index + "]";
  }

  /** The value under {@code key}; null when absent or JSON {@code null}. */
  JsonElement get(String key) {
    used.add(key);
    JsonElement value = object.get(key);
    return value == null || value.isJsonNull() ? null : value;
  }

  /** The keys in the order the file gives them, for objects whose keys are names (not fields). */
  Set<String> keys() {
    return object.keySet();
  }

  String string(String key, boolean required) {
    JsonPrimitive p = primitive(key, required, JsonPrimitive::isString, "must be a string");
    return p == null ? null : p.getAsString();
  }

  boolean bool(String key, boolean fallback) {
    Boolean value = optionalBool(key);
    return value == null ? fallback : value;
  }

  /** A boolean that may be left out: null when absent or not a boolean (which is reported). */
  Boolean optionalBool(String key) {
    JsonPrimitive p = primitive(key, false, JsonPrimitive::isBoolean, "must be true or false");
    return p == null ? null : p.getAsBoolean();
  }

  long number(String key, long fallback, long min, long max) {
    JsonPrimitive p = primitive(key, false, JsonPrimitive::isNumber, "must be a whole number");
    if (p == null) {
      return fallback;
    }
    long n;
    try {
      n = p.getAsBigDecimal().longValueExact();
    } catch (ArithmeticException e) {
      problems.error(at(key), "must be a whole number");
      return fallback;
    }
    if (n < min || n > max) {
      problems.error(at(key), "must be between " + min + " and " + max + ", not " + n);
      return fallback;
    }
    return n;
  }

  JsonArray array(String key, boolean required) {
    JsonElement value = present(key, required);
    if (value == null) {
      return null;
    }
    if (!value.isJsonArray()) {
      problems.error(at(key), "must be a list");
      return null;
    }
    return value.getAsJsonArray();
  }

  /** A list of strings; elements that are not strings are reported and left out. */
  List<String> strings(String key, boolean required) {
    JsonArray array = array(key, required);
    List<String> values = new ArrayList<>();
    if (array == null) {
      return values;
    }
    for (int i = 0; i < array.size(); i++) {
      JsonElement element = array.get(i);
      if (element instanceof JsonPrimitive p && p.isString()) {
        values.add(p.getAsString());
      } else {
        problems.error(at(key, i), "must be a string");
      }
    }
    return values;
  }

  /** The sub-object under {@code key}, read with its own path; null when absent or not an object. */
  JsonFields object(String key) {
    JsonElement value = get(key);
    if (value == null) {
      return null;
    }
    if (!value.isJsonObject()) {
      problems.error(at(key), "must be an object");
      return null;
    }
    return new JsonFields(value.getAsJsonObject(), at(key), problems);
  }

  /**
   * Reads each element of {@code list}, the list under {@code key}, as an object with its own
   * path. One at a time, so the problems of a list keep the order of its elements; an element that
   * is not an object is reported in its place and skipped.
   */
  void forEachObject(String key, JsonArray list, Consumer<JsonFields> read) {
    for (int i = 0; i < list.size(); i++) {
      if (!list.get(i).isJsonObject()) {
        problems.error(at(key, i), "must be an object");
        continue;
      }
      read.accept(new JsonFields(list.get(i).getAsJsonObject(), at(key, i), problems));
    }
  }

  /** Reports every key not read so far: a misspelt key must not be silently ignored. */
  void rejectUnknownKeys(List<String> known) {
    for (String key : object.keySet()) {
      if (!used.contains(key)) {
        problems.error(at(key), "unknown key (known keys: " + String.join(", ", known) + ")");
      }
    }
  }

  /** The value under {@code key}, or null; a missing one is reported when {@code required}. */
  private JsonElement present(String key, boolean required) {
    JsonElement value = get(key);
    if (value == null && required) {
      problems.error(at(key), "is required");
    }
    return value;
  }

  /**
   * The value under {@code key} when it is a primitive of the wanted {@code kind}; otherwise null,
   * and a value of another kind is reported with {@code wrongKind}.
   */
  private JsonPrimitive primitive(String key, boolean required, Predicate<JsonPrimitive> kind, String wrongKind) {
    JsonElement value = present(key, required);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonPrimitive p) || !kind.test(p)) {
      problems.error(at(key), wrongKind);
      return null;
    }
    return p;
  }
}
