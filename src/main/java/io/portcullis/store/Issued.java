package io.portcullis.store;

/**
 * What a store refuses by its grant or by a cut-off: an access token, a refresh token or an
 * authorization code, issued to a client for a user (none for client credentials) at a second.
 */
interface Issued {
  long grantId();

  String clientId();

  /** {@code null} when the client acts for itself (client credentials). */
  String username();

  long issuedAtEpochSecond();
}
