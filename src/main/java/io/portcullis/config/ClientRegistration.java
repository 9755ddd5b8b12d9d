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
 */
public record ClientRegistration(
    String clientId,
    StoredSecret secret,
    String name,
    List<String> redirectUris,
    Set<String> scopes,
    boolean pkceRequired,
    Duration accessTokenTtl) {

  public ClientRegistration {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(name, "name");
    redirectUris = List.copyOf(redirectUris);
    scopes = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(scopes));
    Objects.requireNonNull(accessTokenTtl, "accessTokenTtl");
    if (redirectUris.isEmpty()) {
      throw new IllegalArgumentException("a client needs at least one redirect URI");
    }
    if (secret == null && !pkceRequired) {
      throw new IllegalArgumentException("a public client always requires PKCE");
    }
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
