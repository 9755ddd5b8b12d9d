package io.portcullis.store;

/** The outcome of presenting a refresh token: exactly one caller ever gets {@link Rotated}. */
public sealed interface RefreshRotation {

  /** First use by its own client: the token is now spent and the caller issues its successor. */
  record Rotated(RefreshToken token) implements RefreshRotation {}

  /** The token was already rotated: whoever holds it may have stolen it (RFC 9700 §4.14.2). */
  record AlreadyUsed(long grantId, String clientId, String username) implements RefreshRotation {}

  /** Never issued, expired, revoked, or issued to another client (and then left untouched). */
  record Unknown() implements RefreshRotation {}
}
