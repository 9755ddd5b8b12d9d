package io.portcullis.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What an authorization code stands for (DESIGN 1.3): bound to client, redirect URI, scope, user
 * and PKCE challenge. Stored under the hash of the code, never the code itself.
 *
 * @param grantId identifies the authorization; every token issued from this code carries it, so a
 *                reused code can revoke them all at once
 */
public record AuthorizationCode(
    long grantId,
    String clientId,
    String username,
    String redirectUri,
    boolean redirectUriSent,
    String scope,
    String codeChallenge,
    String codeChallengeMethod,
    Instant expiresAt) implements Expiring {

  public AuthorizationCode {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  @Override
  public long expiresAtEpochSecond() {
    return expiresAt.getEpochSecond();
  }
}
