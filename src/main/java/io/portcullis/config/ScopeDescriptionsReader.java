package io.portcullis.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code "scopeDescriptions"}, e.g. {@code {"email": "See your email address"}}: plain
 * words for scopes, shown on the approval page.
 */
final class ScopeDescriptionsReader {
  private ScopeDescriptionsReader() {}

  static Map<String, String> read(JsonFields top, ConfigProblems problems) {
    JsonFields object = top.object("scopeDescriptions");
    Map<String, String> descriptions = new LinkedHashMap<>();
    if (object == null) {
      return descriptions;
    }
    // Its keys are scope names, not fields, so none is unknown.
    for (String scope : object.keys()) {
      JsonElement value = object.get(scope);
      if (!Scopes.isScopeToken(scope)) {
        problems.error(object.at(scope), "\"" + scope + "\" is not a scope token");
      } else if (!(value instanceof JsonPrimitive p) || !p.isString() || p.getAsString().isBlank()
          || p.getAsString().chars().anyMatch(Character::isISOControl)) {
        problems.error(object.at(scope), "must be a non-empty sentence without control characters");
      } else {
        descriptions.put(scope, p.getAsString());
      }
    }
    return descriptions;
  }
}
