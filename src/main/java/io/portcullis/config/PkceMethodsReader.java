package io.portcullis.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code "pkceMethods"}: the PKCE code-challenge methods the server accepts, {@code S256}
 * always and {@code plain} only when the operator opts in.
 */
final class PkceMethodsReader {
  private PkceMethodsReader() {}

  static Set<String> read(JsonFields top, ConfigProblems problems) {
    List<String> methods = top.strings("pkceMethods", false);
    if (top.get("pkceMethods") == null) {
      return Set.of("S256");
    }
    Set<String> result = new LinkedHashSet<>();
    for (int i = 0; i < methods.size(); i++) {
      String method = methods.get(i);
      if (!method.equals("S256") && !method.equals("plain")) {
        problems.error(top.at("pkceMethods", i), "must be \"S256\" or \"plain\", not \"" + method + "\"");
      } else if (!result.add(method)) {
        problems.error(top.at("pkceMethods", i), "\"" + method + "\" is listed twice");
      }
    }
    if (!result.contains("S256")) {
      problems.error(top.at("pkceMethods"), "must contain \"S256\" (RFC 7636 §4.2: servers must support it)");
    }
    if (result.contains("plain")) {
      problems.warn(top.at("pkceMethods"), "\"plain\" is enabled; RFC 9700 §2.1.1 says use S256 only");
    }
    return result;
  }
}
