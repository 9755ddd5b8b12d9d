package io.portcullis.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What a bearer token grants. Times are kept as epoch seconds, not {@link Instant}s: a gateway
 * holds a million of these, and two {@code Instant} objects would add 48 bytes to each.
 *
 * @param scope space-delimited; shared ({@link SharedStrings}), since only a few distinct
 *              values exist (subsets of the clients' registered scopes)
 */
public record AccessToken(
    long grantId,
    String clientId,
    String username,
    String scope,
    long issuedAtEpochSecond,
    long expiresAtEpochSecond) implements Expiring, Issued {

  public AccessToken {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(scope, "scope");
    scope = SharedStrings.of(scope);
  }

  public Instant issuedAt() {
    return Instant.ofEpochSecond(issuedAtEpochSecond);
  }

  public Instant expiresAt() {
    return Instant.ofEpochSecond(expiresAtEpochSecond);
  }
}
