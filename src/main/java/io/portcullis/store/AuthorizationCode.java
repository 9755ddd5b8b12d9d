package io.portcullis.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What an authorization code stands for (DESIGN 1.3): bound to client, redirect URI, scope, user
 * and PKCE challenge. Stored under the hash of the code, never the code itself.
 *
 * @param grantId  identifies the authorization; every token issued from this code carries it, so a
 *                 reused code can revoke them all at once
 * @param issuedAt when the user approved (whole seconds count): a cut-off of the client or user at
 *                 or after it refuses the code ({@link TokenStore#revokeIssuedBefore});
 *                 {@link #ISSUED_AT_UNKNOWN} for a code stored before codes carried it
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
    Instant issuedAt,
    Instant expiresAt) implements Expiring, Issued {

  /**
   * The issued-at of a code stored without one (by a node or a snapshot older than cut-offs): as
   * early as can be, so that any cut-off refuses it. Such codes were approved before cut-offs
   * existed, and live minutes.
   */
  public static final Instant ISSUED_AT_UNKNOWN = Instant.EPOCH;

  public AuthorizationCode {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  public long issuedAtEpochSecond() {
    return issuedAt.getEpochSecond();
  }

  @Override
  public long expiresAtEpochSecond() {
    return expiresAt.getEpochSecond();
  }
}
