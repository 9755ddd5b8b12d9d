package io.portcullis.oauth;

import io.portcullis.config.ClientRegistration;
import java.util.List;

/** What the authorization endpoint answers; the servlet only renders it. */
public sealed interface AuthorizeOutcome {

  /**
   * Show the approval page.
   *
   * @param status  200 the first time, 401 after wrong credentials, 429 while sign-ins are
   *                throttled, 503 when no password can be checked now
   * @param message shown above the form; {@code null} for none
   * @param retryAfterSeconds with 429 and 503: when to try again ({@code Retry-After}); 0 otherwise
   */
  record ShowApproval(
      ClientRegistration client,
      List<String> scopes,
      String transactionId,
      String csrfToken,
      String redirectUri,
      int status,
      String message,
      long retryAfterSeconds) implements AuthorizeOutcome {

    public ShowApproval(ClientRegistration client, List<String> scopes, String transactionId, String csrfToken,
        String redirectUri, int status, String message) {
      this(client, scopes, transactionId, csrfToken, redirectUri, status, message, 0);
    }
  }

  /** 302 to the client: a code on success, an error otherwise (RFC 6749 §4.1.2). */
  record Redirect(String location) implements AuthorizeOutcome {}

  /**
   * An error shown to the person, never sent to the redirect URI: the client or redirect URI
   * cannot be trusted, or the approval form no longer matches a pending request.
   */
  record ErrorPage(int status, String error, String description) implements AuthorizeOutcome {}
}
