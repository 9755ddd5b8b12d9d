package io.portcullis.oauth;

/**
 * Every protocol error: the RFC error code, the HTTP status it is answered with, and a description
 * a person can act on. One renderer in the web layer turns it into JSON, a redirect, a page or a
 * {@code WWW-Authenticate} header. Descriptions never contain a secret, code or token.
 */
public final class OAuthException extends RuntimeException {

  private final String error;
  private final int status;
  private final String requiredScope;
  private final long retryAfterSeconds;

  private OAuthException(String error, int status, String description, String requiredScope, long retryAfterSeconds) {
    super(rfc6749Charset(description), null, false, false);
    this.error = error;
    this.status = status;
    this.requiredScope = requiredScope;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  private OAuthException(String error, int status, String description, String requiredScope) {
    this(error, status, description, requiredScope, 0);
  }

  public static OAuthException of(String error, int status, String description) {
    return new OAuthException(error, status, description, null);
  }

  // RFC 6749 §4.1.2.1 and §5.2
  public static OAuthException invalidRequest(String description) {
    return of("invalid_request", 400, description);
  }

  public static OAuthException invalidClient(String description) {
    return of("invalid_client", 401, description);
  }

  public static OAuthException invalidGrant(String description) {
    return of("invalid_grant", 400, description);
  }

  public static OAuthException unauthorizedClient(String description) {
    return of("unauthorized_client", 400, description);
  }

  public static OAuthException unsupportedGrantType(String description) {
    return of("unsupported_grant_type", 400, description);
  }

  public static OAuthException unsupportedResponseType(String description) {
    return of("unsupported_response_type", 400, description);
  }

  public static OAuthException invalidScope(String description) {
    return of("invalid_scope", 400, description);
  }

  public static OAuthException accessDenied(String description) {
    return of("access_denied", 403, description);
  }

  public static OAuthException serverError(String description) {
    return of("server_error", 500, description);
  }

  public static OAuthException temporarilyUnavailable(String description) {
    return of("temporarily_unavailable", 503, description);
  }

  /**
   * Too many failed attempts (RFC 6749 §10.10, RFC 6585 §4): 429 with {@code Retry-After}. The
   * error code is {@code temporarily_unavailable}, the RFC 6749 code clients already retry on.
   */
  public static OAuthException tooManyAttempts(String description, long retryAfterSeconds) {
    return new OAuthException("temporarily_unavailable", 429, description, null, Math.max(1, retryAfterSeconds));
  }

  // RFC 6750 §3.1
  /** No credentials at all: 401 with a bare challenge and, per RFC 6750 §3.1, no error code. */
  public static OAuthException missingToken() {
    return new OAuthException(null, 401, "this route requires an access token (Authorization: Bearer ...)", null);
  }

  public static OAuthException invalidToken(String description) {
    return of("invalid_token", 401, description);
  }

  public static OAuthException insufficientScope(String requiredScope) {
    return new OAuthException("insufficient_scope", 403,
        "the access token does not grant the scope this route requires: " + requiredScope, requiredScope);
  }

  /** The RFC error code; {@code null} only for {@link #missingToken()}. */
  /**
   * RFC 6749 §5.2: error_description is printable ASCII without '"' and '\'. Enforced here, once,
   * so it holds in JSON, in redirects and in RFC 6750 quoted-strings alike, whatever a
   * description quotes from a request.
   */
  private static String rfc6749Charset(String description) {
    StringBuilder out = new StringBuilder(description.length());
    for (int i = 0; i < description.length(); i++) {
      char c = description.charAt(i);
      out.append(c == '"' || c == '\\' ? '\'' : (c < 0x20 || c > 0x7e) ? '?' : c);
    }
    return out.toString();
  }

  public String error() {
    return error;
  }

  public int status() {
    return status;
  }

  public String description() {
    return getMessage();
  }

  /** Seconds after which a retry may succeed ({@code Retry-After}); 0 when there is no such time. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** For {@code insufficient_scope}: the scope the resource needs (RFC 6750 §3). */
  public String requiredScope() {
    return requiredScope;
  }
}
