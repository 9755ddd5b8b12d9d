package io.portcullis.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What a refresh token stands for (RFC 6749 §6): the grant it continues, whose scope it keeps
 * whatever the access tokens it buys were narrowed to. Single use: each use rotates it.
 *
 * @param grantEndsAtEpochSecond when the grant ends however often it is refreshed
 *                               ({@code maxGrantLifetimeSeconds} after the user approved it)
 */
public record RefreshToken(
    long grantId,
    String clientId,
    String username,
    String scope,
    long issuedAtEpochSecond,
    long expiresAtEpochSecond,
    long grantEndsAtEpochSecond) implements Expiring, Issued {

  public RefreshToken {
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
