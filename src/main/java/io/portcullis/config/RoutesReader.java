package io.portcullis.config;

import com.google.gson.JsonArray;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code "routes"}: for each path or path prefix the gateway guards, whether it is public
 * or which scopes a token needs there.
 */
final class RoutesReader {
  private RoutesReader() {}

  /**
   * @param clients the clients already read: a route scope no client may ask for is warned of
   * @return the valid routes, most specific first, so the first match is the one that applies
   */
  static List<RouteRule> read(JsonFields top, Iterable<ClientRegistration> clients, ConfigProblems problems) {
    Set<String> grantable = new HashSet<>();
    clients.forEach(c -> grantable.addAll(c.scopes()));
    return read(top, Optional.of(grantable), problems);
  }

  /** @param grantable the scopes clients may ask for, when known (the guard does not know the clients) */
  static List<RouteRule> read(JsonFields top, Optional<Set<String>> grantable, ConfigProblems problems) {
    JsonArray array = top.array("routes", false);
    List<RouteRule> routes = new ArrayList<>();
    if (array == null) {
      return routes;
    }
    Set<String> seen = new HashSet<>();
    top.forEachObject("routes", array, route -> {
      int errorsBefore = problems.errorCount();
      String pattern = route.string("path", true);
      if (pattern != null) {
        String problem = routePathProblem(pattern);
        if (problem != null) {
          problems.error(route.at("path"), problem);
        } else if (!seen.add(pattern)) {
          problems.error(route.at("path"), "\"" + pattern + "\" is listed twice");
        }
      }
      boolean isPublic = route.bool("public", false);
      List<String> scopeList = route.strings("scopes", false);
      for (int s = 0; s < scopeList.size(); s++) {
        String scope = scopeList.get(s);
        if (!Scopes.isScopeToken(scope)) {
          problems.error(route.at("scopes", s), "\"" + scope + "\" is not a scope token");
        } else if (grantable.isPresent() && !grantable.get().contains(scope)) {
          problems.warn(route.at("scopes", s),
              "no client may ask for scope \"" + scope + "\", so this route admits nobody");
        }
      }
      if (isPublic && !scopeList.isEmpty()) {
        problems.error(route.path(), "a public route cannot also require scopes");
      }
      if (pattern != null && !pattern.endsWith("/*") && !scopeList.isEmpty()) {
        problems.warn(route.at("path"), "the exact route " + pattern + " does not cover " + pattern
            + "/...; use " + pattern + "/* to require these scopes below it too");
      }
      route.rejectUnknownKeys(List.of("path", "public", "scopes"));
      if (problems.errorCount() == errorsBefore && pattern != null) {
        routes.add(new RouteRule(pattern, isPublic, new LinkedHashSet<>(scopeList)));
      }
    });
    // Longest match wins; at equal length an exact path beats a prefix.
    routes.sort(Comparator.comparingInt((RouteRule r) -> r.base().length()).reversed()
        .thenComparing(RouteRule::isPrefix));
    return routes;
  }

  static String routePathProblem(String pattern) {
    if (!pattern.startsWith("/")) {
      return "must start with \"/\"";
    }
    String base = pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
    if (base.contains("*")) {
      return "\"*\" is allowed only as a trailing \"/*\"";
    }
    if (!AsciiText.isVisible(pattern) || pattern.contains("?") || pattern.contains("#")) {
      return "must be a printable ASCII path without query or fragment";
    }
    if (base.contains("//") || base.contains("/./") || base.contains("/../")
        || base.endsWith("/.") || base.endsWith("/..")) {
      return "must be a normalized path (no empty, \".\" or \"..\" segments)";
    }
    return null;
  }
}
