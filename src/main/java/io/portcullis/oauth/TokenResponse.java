package io.portcullis.oauth;

/**
 * A successful token response (RFC 6749 §5.1).
 *
 * @param refreshToken {@code null} when none is issued (client credentials, or a client not
 *                     allowed the refresh_token grant)
 */
public record TokenResponse(String accessToken, String tokenType, long expiresIn, String scope, String refreshToken) {

  public TokenResponse(String accessToken, String tokenType, long expiresIn, String scope) {
    this(accessToken, tokenType, expiresIn, scope, null);
  }
}
