package io.portcullis.store;

/** The outcome of presenting an authorization code: exactly one caller ever gets {@link Redeemed}. */
public sealed interface CodeRedemption {

  /** First use: the code is now spent. */
  record Redeemed(AuthorizationCode code) implements CodeRedemption {}

  /** The code was already spent; the grant it started should be revoked (RFC 6749 §4.1.2). */
  record AlreadyUsed(long grantId, String clientId, String username) implements CodeRedemption {}

  /** Never issued, expired, or too old to remember. */
  record Unknown() implements CodeRedemption {}
}
