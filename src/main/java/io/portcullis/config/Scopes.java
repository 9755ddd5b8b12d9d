package io.portcullis.config;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

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

  /** The tokens of a scope string this server formatted itself; none for the empty scope. */
  public static List<String> split(String formatted) {
    return formatted.isEmpty() ? List.of() : List.of(formatted.split(" "));
  }

  /**
   * RFC 6749 §3.3: what of {@code requested} the {@code allowed} scopes cover, formatted in the
   * order of {@code allowed}; a request may narrow, never widen.
   *
   * @param refused makes the exception when {@code requested} goes beyond {@code allowed}
   */
  public static String narrow(Collection<String> allowed, Set<String> requested,
      Supplier<? extends RuntimeException> refused) {
    List<String> granted = allowed.stream().filter(requested::contains).toList();
    if (granted.size() < requested.size()) {
      throw refused.get();
    }
    return format(granted);
  }

  /** The space-delimited form of a scope set, as sent in responses. */
  public static String format(Collection<String> scopes) {
    return String.join(" ", scopes);
  }
}
