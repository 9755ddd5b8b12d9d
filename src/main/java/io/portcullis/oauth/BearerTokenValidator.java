package io.portcullis.oauth;

import io.portcullis.config.GuardRules;
import io.portcullis.config.RouteRule;
import io.portcullis.config.Scopes;
import io.portcullis.store.AccessToken;
import io.portcullis.store.AccessTokenLookup;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Decides whether a request to a gateway route may pass (RFC 6750; DESIGN 1.5): deny by default,
 * public routes pass, every other route needs a live bearer token holding the route's scopes.
 */
public final class BearerTokenValidator {

  /** Distinct scope strings whose sets are kept (see {@link #scopes}). */
  static final int MAX_SCOPE_SETS = 1024;

  private final GuardRules config;
  private final AccessTokenLookup store;
  private final ConcurrentMap<String, Set<String>> scopeSets = new ConcurrentHashMap<>();

  /**
   * @param config the WAR's config, or the guard plugin's
   * @param store  the store, a near-cache in front of it, or a remote introspection endpoint
   */
  public BearerTokenValidator(GuardRules config, AccessTokenLookup store) {
    this.config = config;
    this.store = store;
  }

  /**
   * @param path                 the request path below the context path
   * @param authorizationHeaders every {@code Authorization} header of the request
   * @return the token, or empty for a public route
   * @throws OAuthException the RFC 6750 §3.1 answer
   */
  public Optional<AccessToken> check(String path, List<String> authorizationHeaders) {
    return check(route(path), authorizationHeaders);
  }

  /** The rule that governs {@code path} (the request path below the context path), if any. */
  public Optional<RouteRule> route(String path) {
    return config.routeFor(path);
  }

  /**
   * {@link #check(String, List)} for a route already looked up with {@link #route}.
   *
   * @throws OAuthException the RFC 6750 §3.1 answer
   */
  public Optional<AccessToken> check(Optional<RouteRule> route, List<String> authorizationHeaders) {
    if (route.isPresent() && route.get().isPublic()) {
      return Optional.empty();
    }
    String token = bearerToken(authorizationHeaders);
    // A token whose client is no longer registered, or whose user is no longer listed, is no
    // longer good (a snapshot or a shared store keeps tokens across a config change).
    AccessToken accessToken = store.findAccessToken(token)
        .filter(t -> config.acceptsTokensOf(t.clientId(), t.username()))
        .orElseThrow(() -> OAuthException.invalidToken("the access token is invalid, expired or revoked"));
    if (route.isPresent() && !route.get().scopes().isEmpty()) {
      if (!scopes(accessToken.scope()).containsAll(route.get().scopes())) {
        throw OAuthException.insufficientScope(Scopes.format(route.get().scopes()));
      }
    }
    return Optional.of(accessToken);
  }

  /**
   * A token's space-delimited scope as an immutable set. Tokens carry few distinct scope strings
   * (subsets of the clients' registered scopes), so each set is made once and kept; past
   * {@link #MAX_SCOPE_SETS} distinct strings, a new one is made each time instead.
   */
  public Set<String> scopes(String scope) {
    Set<String> set = scopeSets.get(scope);
    if (set == null) {
      set = Set.copyOf(Scopes.split(scope));
      if (scopeSets.size() < MAX_SCOPE_SETS) {
        scopeSets.putIfAbsent(scope, set);
      }
    }
    return set;
  }

  /** RFC 6750 §2.1: {@code Authorization: Bearer b64token}, once. */
  private static String bearerToken(List<String> headers) {
    if (headers.isEmpty()) {
      throw OAuthException.missingToken();
    }
    if (headers.size() > 1) {
      throw OAuthException.invalidRequest("the request has more than one Authorization header");
    }
    String header = headers.get(0).trim();
    int space = firstWhitespace(header);
    String scheme = space < 0 ? header : header.substring(0, space);
    if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
      // Other credentials (Basic, ...) are no bearer token: answer with the bare challenge.
      throw OAuthException.missingToken();
    }
    if (space >= 0 && header.charAt(space) != ' ') {
      // RFC 7235 §2.1: one or more SP after the scheme; "Bearer<TAB>token" is a malformed bearer
      // header, not the absence of one.
      throw OAuthException.invalidRequest("the Authorization header must be 'Bearer <token>' (RFC 6750 section 2.1)");
    }
    String token = space < 0 ? "" : header.substring(space + 1).trim();
    if (!isB64Token(token)) {
      throw OAuthException.invalidRequest("the Authorization header must be 'Bearer <token>' (RFC 6750 section 2.1)");
    }
    return token;
  }

  /** The index of the first space or control character (a tab, say), or -1. */
  private static int firstWhitespace(String header) {
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == ' ' || c < 0x20 || c == 0x7f) {
        return i;
      }
    }
    return -1;
  }

  /** b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
  private static boolean isB64Token(String token) {
    if (token.isEmpty() || token.length() > 4096) {
      return false;
    }
    int i = 0;
    for (; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean tokenChar = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
      if (!tokenChar) {
        break;
      }
    }
    if (i == 0) {
      return false;
    }
    for (; i < token.length(); i++) {
      if (token.charAt(i) != '=') {
        return false;
      }
    }
    return true;
  }
}
