package io.portcullis.config;

import java.util.Objects;
import java.util.Set;

/**
 * One entry of {@code routes}: an exact path ({@code /health}) or a prefix ({@code /api/*}, which
 * matches {@code /api} and everything below it), and what a caller needs there.
 *
 * @param isPublic no token needed
 * @param scopes   every one of these must be in the token's scope
 */
public record RouteRule(String path, boolean isPublic, Set<String> scopes) {

  public RouteRule {
    Objects.requireNonNull(path, "path");
    // Kept in config order, so a 403 names the scopes the same way every time.
    scopes = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(scopes));
    if (isPublic && !scopes.isEmpty()) {
      throw new IllegalArgumentException("a public route cannot require scopes");
    }
  }

  public boolean isPrefix() {
    return path.endsWith("/*");
  }

  /** {@code /api/*} → {@code /api}; an exact path is itself. */
  public String base() {
    return isPrefix() ? path.substring(0, path.length() - 2) : path;
  }

  public boolean matches(String requestPath) {
    if (!isPrefix()) {
      return path.equals(requestPath);
    }
    String base = base();
    return base.isEmpty()
        || requestPath.equals(base)
        || (requestPath.startsWith(base) && requestPath.charAt(base.length()) == '/');
  }
}
