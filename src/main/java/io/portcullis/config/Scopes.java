package io.portcullis.config;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/** RFC 6749 §3.3 scope syntax: space-delimited scope-tokens of %x21 / %x23-5B / %x5D-7E. */
public final class Scopes {
  private Scopes() {}

  public static boolean isScopeToken(String token) {
    if (token.isEmpty()) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /**
   * Splits a {@code scope} parameter. Returns {@code null} when it is not valid scope syntax
   * (empty tokens from doubled or leading spaces included), so callers can say why.
   */
  public static Set<String> parse(String scope) {
    Set<String> tokens = new LinkedHashSet<>();
    for (String token : scope.split(" ", -1)) {
      if (!isScopeToken(token)) {
        return null;
      }
      tokens.add(token);
    }
    return tokens;
  }

  /** The space-delimited form of a scope set, as sent in responses. */
  public static String format(Collection<String> scopes) {
    return String.join(" ", scopes);
  }
}
