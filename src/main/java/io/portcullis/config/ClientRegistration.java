package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A registered OAuth client, valid by construction: the loader checked every field, so no other
 * class re-checks it.
 *
 * @param secret       the hashed or {@code {noop}} secret; {@code null} for a public client
 * @param redirectUris matched exactly (RFC 9700 §4.1.1: no prefix, no wildcard)
 * @param scopes       what the client may ask for, in the order the config lists them
 * @param pkceRequired global {@code enforcePkce}, the client's own, or a public client
 * @param grantTypes   the grants this client may use ({@link #AUTHORIZATION_CODE} by default)
 * @param refreshTokenTtl how long this client's refresh tokens live
 * @param resourceServer may introspect every client's tokens, not only its own
 * @param maxLiveTokens  live access tokens this client may hold at once; past it, no more are issued
 */
public record ClientRegistration(
    String clientId,
    StoredSecret secret,
    String name,
    List<String> redirectUris,
    Set<String> scopes,
    boolean pkceRequired,
    Duration accessTokenTtl,
    Set<String> grantTypes,
    Duration refreshTokenTtl,
    boolean resourceServer,
    long maxLiveTokens) {

  /** {@code maxLiveTokensPerClient} unless the config says otherwise. */
  public static final long DEFAULT_MAX_LIVE_TOKENS = 100_000;

  public static final String AUTHORIZATION_CODE = "authorization_code";
  public static final String REFRESH_TOKEN = "refresh_token";
  public static final String CLIENT_CREDENTIALS = "client_credentials";
  /** What {@code grantTypes} may name. */
  public static final Set<String> GRANT_TYPES = Set.of(AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS);

  /** A client of the authorization-code grant only, as before grant types were configurable. */
  public ClientRegistration(String clientId, StoredSecret secret, String name, List<String> redirectUris,
      Set<String> scopes, boolean pkceRequired, Duration accessTokenTtl) {
    this(clientId, secret, name, redirectUris, scopes, pkceRequired, accessTokenTtl, Set.of(AUTHORIZATION_CODE),
        Duration.ofDays(1), false);
  }

  /** With the default live-token quota. */
  public ClientRegistration(String clientId, StoredSecret secret, String name, List<String> redirectUris,
      Set<String> scopes, boolean pkceRequired, Duration accessTokenTtl, Set<String> grantTypes,
      Duration refreshTokenTtl, boolean resourceServer) {
    this(clientId, secret, name, redirectUris, scopes, pkceRequired, accessTokenTtl, grantTypes, refreshTokenTtl,
        resourceServer, DEFAULT_MAX_LIVE_TOKENS);
  }

  public ClientRegistration {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(name, "name");
    redirectUris = List.copyOf(redirectUris);
    scopes = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(scopes));
    Objects.requireNonNull(accessTokenTtl, "accessTokenTtl");
    grantTypes = Set.copyOf(grantTypes);
    Objects.requireNonNull(refreshTokenTtl, "refreshTokenTtl");
    if (maxLiveTokens < 1) {
      throw new IllegalArgumentException("maxLiveTokens must be at least 1");
    }
    if (!GRANT_TYPES.containsAll(grantTypes)) {
      throw new IllegalArgumentException("unknown grant type in " + grantTypes);
    }
    if (grantTypes.contains(AUTHORIZATION_CODE) && redirectUris.isEmpty()) {
      throw new IllegalArgumentException("a client of the authorization-code grant needs a redirect URI");
    }
    if (secret == null && !pkceRequired) {
      throw new IllegalArgumentException("a public client always requires PKCE");
    }
    if (secret == null && grantTypes.contains(CLIENT_CREDENTIALS)) {
      throw new IllegalArgumentException("client credentials are for confidential clients only");
    }
  }

  public boolean mayUse(String grantType) {
    return grantTypes.contains(grantType);
  }

  /** RFC 6749 §2.1: a client without a secret cannot keep one, so it proves itself with PKCE. */
  public boolean isPublic() {
    return secret == null;
  }

  @Override
  public String toString() {
    return "ClientRegistration[" + clientId + "]";
  }
}
