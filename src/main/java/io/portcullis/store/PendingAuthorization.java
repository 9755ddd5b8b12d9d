package io.portcullis.store;

import java.time.Instant;
import java.util.Objects;

/**
 * An authorization request that passed validation and waits for a gateway user on the approval
 * page. Stored under the hash of its transaction id; the CSRF token is kept only as a hash.
 *
 * @param redirectUri         the URI the code goes to
 * @param redirectUriSent     whether the request named it (RFC 6749 §4.1.3: then the token
 *                            request must repeat it)
 * @param state               echoed back verbatim; {@code null} when none was sent
 * @param codeChallenge       {@code null} when the client sent none (and PKCE is not required)
 * @param codeChallengeMethod {@code S256} or {@code plain}; {@code null} with no challenge
 * @param csrfTokenHash       SHA-256 of the CSRF token in the approval form
 * @param approvalAttempts    passwords checked so far (counted before each check)
 */
public record PendingAuthorization(
    String clientId,
    String redirectUri,
    boolean redirectUriSent,
    String scope,
    String state,
    String codeChallenge,
    String codeChallengeMethod,
    byte[] csrfTokenHash,
    Instant expiresAt,
    int approvalAttempts) implements Expiring {

  public PendingAuthorization {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(csrfTokenHash, "csrfTokenHash");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** The same request with one more password check counted. */
  public PendingAuthorization withApprovalAttempt() {
    return new PendingAuthorization(clientId, redirectUri, redirectUriSent, scope, state, codeChallenge,
        codeChallengeMethod, csrfTokenHash, expiresAt, approvalAttempts + 1);
  }

  @Override
  public long expiresAtEpochSecond() {
    return expiresAt.getEpochSecond();
  }
}
