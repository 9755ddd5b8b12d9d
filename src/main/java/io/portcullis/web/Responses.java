package io.portcullis.web;

import com.google.gson.JsonObject;
import io.portcullis.oauth.AuthorizeOutcome;
import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.TokenResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where results and {@link OAuthException}s become HTTP: JSON for the token
 * endpoint, a redirect or an HTML page for the authorization endpoint, a
 * {@code WWW-Authenticate} challenge for the bearer filter.
 */
final class Responses {

  private static final HtmlTemplate APPROVAL = HtmlTemplate.load("approval.html");
  private static final HtmlTemplate ERROR = HtmlTemplate.load("error.html");
  private static final SecureRandom NONCES = new SecureRandom();

  private final String realm;
  private final BearerChallenge bearer;
  /** Plain words for scopes ({@code scopeDescriptions} in the config), shown on the approval page. */
  private final Map<String, String> scopeDescriptions;
  /**
   * Each redirect URI's CSP {@code form-action} source, worked out once: only registered redirect
   * URIs reach a page, so this holds no more entries than the config has (a new config, a new
   * {@code Responses}).
   */
  private final java.util.concurrent.ConcurrentMap<String, String> formActions =
      new java.util.concurrent.ConcurrentHashMap<>();

  Responses(String realm) {
    this(realm, Map.of());
  }

  Responses(String realm, Map<String, String> scopeDescriptions) {
    this.realm = realm;
    this.bearer = new BearerChallenge(realm);
    this.scopeDescriptions = Map.copyOf(scopeDescriptions);
  }

  // ---- token endpoint (RFC 6749 §5.1, §5.2) ----

  void token(HttpServletResponse response, TokenResponse token) throws IOException {
    // Written directly, not through a JSON tree: it is the answer of every flow.
    StringBuilder body = new StringBuilder(160).append("{\"access_token\":");
    JsonResponse.quote(body, token.accessToken()).append(",\"token_type\":");
    JsonResponse.quote(body, token.tokenType()).append(",\"expires_in\":").append(token.expiresIn());
    if (!token.scope().isEmpty()) {
      JsonResponse.quote(body.append(",\"scope\":"), token.scope());
    }
    if (token.refreshToken() != null) {
      JsonResponse.quote(body.append(",\"refresh_token\":"), token.refreshToken());
    }
    JsonResponse.write(response, 200, body.append('}').toString());
  }

  void tokenError(HttpServletResponse response, OAuthException e) throws IOException {
    closeIfBodyLeftUnread(response, e.status());
    retryAfter(response, e.retryAfterSeconds());
    if (e.status() == 401) {
      // RFC 6749 §5.2 (and RFC 7235: a 401 always carries a challenge).
      response.setHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
    }
    JsonResponse.write(response, e.status(), JsonResponse.errorBody(e));
  }

  // ---- bearer filter (RFC 6750 §3) ----

  void bearerError(HttpServletResponse response, OAuthException e) throws IOException {
    bearer.send(response, e);
  }

  // ---- authorization endpoint (RFC 6749 §4.1.2) ----

  void authorize(HttpServletResponse response, AuthorizeOutcome outcome, String formAction) throws IOException {
    JsonResponse.noStore(response);
    if (outcome instanceof AuthorizeOutcome.Redirect redirect) {
      response.setStatus(302);
      response.setHeader("Location", redirect.location());
    } else if (outcome instanceof AuthorizeOutcome.ErrorPage page) {
      errorPage(response, page.status(), page.error(), page.description());
    } else {
      approvalPage(response, (AuthorizeOutcome.ShowApproval) outcome, formAction);
    }
  }

  void errorPage(HttpServletResponse response, int status, String error, String description) throws IOException {
    closeIfBodyLeftUnread(response, status);
    String nonce = nonce();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("nonce", nonce);
    values.put("error", error);
    values.put("description", description);
    html(response, status, ERROR.render(values), nonce, null);
  }

  private void approvalPage(HttpServletResponse response, AuthorizeOutcome.ShowApproval approval, String formAction)
      throws IOException {
    String nonce = nonce();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("nonce", nonce);
    values.put("client_name", approval.client().name());
    values.put("scope_intro", scopeIntro(approval.scopes()));
    values.put("message", approval.message() == null ? new HtmlTemplate.Html("")
        : HtmlTemplate.Html.join(List.of(new HtmlTemplate.Html("<p class=\"message\" role=\"alert\">"),
            HtmlTemplate.escape(approval.message()), new HtmlTemplate.Html("</p>"))));
    values.put("action", formAction);
    values.put("transaction_id", approval.transactionId());
    values.put("csrf_token", approval.csrfToken());
    values.put("redirect_uri", approval.redirectUri());
    retryAfter(response, approval.retryAfterSeconds());
    html(response, approval.status(), APPROVAL.render(values), nonce,
        approval.redirectUri() == null ? null : formActions.computeIfAbsent(approval.redirectUri(),
            Responses::formActionSource));
  }

  private HtmlTemplate.Html scopeIntro(List<String> scopes) {
    if (scopes.isEmpty()) {
      return new HtmlTemplate.Html("<p>It asks for no particular permissions.</p>");
    }
    List<HtmlTemplate.Html> parts = new ArrayList<>();
    parts.add(new HtmlTemplate.Html("<p>It asks for these permissions:</p><ul class=\"scopes\">"));
    for (String scope : scopes) {
      String words = scopeDescriptions.get(scope);
      parts.add(new HtmlTemplate.Html("<li>"));
      if (words != null) {
        parts.add(new HtmlTemplate.Html("<span class=\"words\">"));
        parts.add(HtmlTemplate.escape(words));
        parts.add(new HtmlTemplate.Html("</span> "));
      }
      parts.add(new HtmlTemplate.Html("<code>"));
      parts.add(HtmlTemplate.escape(scope));
      parts.add(new HtmlTemplate.Html("</code></li>"));
    }
    parts.add(new HtmlTemplate.Html("</ul>"));
    return HtmlTemplate.Html.join(parts);
  }

  /**
   * No framing, no scripts, styles only with this response's nonce. {@code form-action} must admit
   * the client's redirect URI: browsers apply it to the redirect that follows the form post.
   */
  /** @param formAction the redirect URI's {@link #formActionSource}, or {@code null} */
  private static void html(HttpServletResponse response, int status, byte[] page, String nonce, String formAction)
      throws IOException {
    StringBuilder csp = new StringBuilder(192).append("default-src 'none'; style-src 'nonce-").append(nonce)
        .append("'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
    if (formAction != null) {
      csp.append(' ').append(formAction);
    }
    response.setStatus(status);
    response.setHeader("Content-Security-Policy", csp.toString());
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    JsonResponse.noStore(response);
    response.setContentType("text/html;charset=UTF-8");
    response.setContentLength(page.length);
    response.getOutputStream().write(page);
  }

  /** The CSP source for a redirect URI: its origin, or its scheme for a native app's URI. */
  static String formActionSource(String redirectUri) {
    URI uri = URI.create(redirectUri);
    if (uri.getHost() == null) {
      return uri.getScheme() + ":";
    }
    return uri.getScheme() + "://" + uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1);
  }

  // ---- shared ----

  /** RFC 9110 §10.2.3: with a 429 or 503, when a retry may succeed. */
  private static void retryAfter(HttpServletResponse response, long seconds) {
    if (seconds > 0) {
      response.setHeader("Retry-After", Long.toString(seconds));
    }
  }

  /**
   * A 413 leaves the rest of the body unread: say so, so that clients open a new connection for
   * their next request instead of reusing one the container is about to close.
   */
  private static void closeIfBodyLeftUnread(HttpServletResponse response, int status) {
    if (status == 413) {
      response.setHeader("Connection", "close");
    }
  }

  private static String nonce() {
    byte[] bytes = new byte[18];
    NONCES.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}
