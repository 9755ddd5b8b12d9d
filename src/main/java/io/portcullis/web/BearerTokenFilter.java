package io.portcullis.web;

import io.portcullis.oauth.RequestContext;
import io.portcullis.config.RouteRule;
import io.portcullis.oauth.BearerTokenValidator;
import io.portcullis.oauth.OAuthException;
import io.portcullis.store.AccessToken;
import io.portcullis.store.StoreUnavailableException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.security.Principal;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Guards every path of the webapp except the OAuth endpoints (DESIGN 1.5, RFC 6750).
 *
 * <ul>
 *   <li>Deny by default: a path that no route marks {@code "public": true} needs
 *       {@code Authorization: Bearer <token>}.
 *   <li>No token: 401 with {@code WWW-Authenticate: Bearer realm="…"}. Unknown, expired or revoked:
 *       401 {@code error="invalid_token"}. Missing scope: 403 {@code error="insufficient_scope"}
 *       with the route's {@code scope}. Malformed header: 400 {@code error="invalid_request"}.
 *   <li>The store failing: 503, never a pass.
 * </ul>
 *
 * <p>A request that passes carries, for the filters and servlets behind this one:
 * <ul>
 *   <li>{@value #CLIENT_ID} — the client the token was issued to ({@code String});
 *   <li>{@value #USERNAME} — the gateway user who approved it ({@code String});
 *   <li>{@value #SCOPES} — the token's scopes ({@code Set<String>});
 *   <li>{@link HttpServletRequest#getRemoteUser()} and {@code getUserPrincipal()} — the user;
 *       {@code getAuthType()} — {@code "Bearer"}.
 * </ul>
 * A public route passes without these attributes.
 */
public final class BearerTokenFilter extends HttpFilter {

  public static final String CLIENT_ID = "portcullis.client_id";
  public static final String USERNAME = "portcullis.username";
  public static final String SCOPES = "portcullis.scopes";

  private final transient BearerTokenValidator validator;
  private final transient BearerChallenge challenge;
  /** Paths the filter leaves alone: the OAuth endpoints, the operations endpoints. */
  private final transient Predicate<String> unguarded;

  /** Told each check: its outcome and the request's path (metrics). */
  private final transient BiConsumer<String, String> outcomes;

  /** How long the body of a refused request may take to arrive, to be dropped ({@link UnreadBody}). */
  private final Duration bodyDeadline;

  BearerTokenFilter(BearerTokenValidator validator, BearerChallenge challenge, Predicate<String> unguarded) {
    this(validator, challenge, unguarded, (outcome, path) -> { },
        io.portcullis.config.TransportSettings.defaults().requestBodyTimeout());
  }

  /**
   * @param outcomes told {@code pass}, {@code public}, {@code missing}, {@code invalid},
   *     {@code insufficient_scope} or {@code unavailable}, and the path of the route rule that
   *     governs the request ({@code none} for none)
   */
  BearerTokenFilter(BearerTokenValidator validator, BearerChallenge challenge, Predicate<String> unguarded,
      BiConsumer<String, String> outcomes, Duration bodyDeadline) {
    this.validator = validator;
    this.challenge = challenge;
    this.unguarded = unguarded;
    this.outcomes = outcomes;
    this.bodyDeadline = bodyDeadline;
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String path = pathWithinContext(request);
    if (unguarded.test(path)) {
      chain.doFilter(request, response);
      return;
    }
    Optional<RouteRule> route = validator.route(path);
    String rule = route.isPresent() ? route.get().path() : "none";
    Optional<AccessToken> token;
    try {
      token = validator.check(route, authorizationHeaders(request));
    } catch (OAuthException e) {
      outcomes.accept(outcome(e), rule);
      challenge.send(response, e);
      UnreadBody.drainAfterAnswer(request, response, bodyDeadline);
      return;
    } catch (StoreUnavailableException e) {
      outcomes.accept("unavailable", rule);
      deny(response, "store unavailable: " + e.getMessage());
      UnreadBody.drainAfterAnswer(request, response, bodyDeadline);
      return;
    } catch (RuntimeException e) {
      // Whatever else went wrong while checking (an entry the store cannot read, ...): refused,
      // as an RFC 6750 answer rather than a 500. The message names no token: none is in it.
      outcomes.accept("unavailable", rule);
      deny(response, "the token check failed: " + e.getClass().getName());
      UnreadBody.drainAfterAnswer(request, response, bodyDeadline);
      return;
    }
    if (token.isEmpty()) {
      outcomes.accept("public", rule);
      chain.doFilter(request, response);
      return;
    }
    outcomes.accept("pass", rule);
    AccessToken accessToken = token.get();
    request.setAttribute(CLIENT_ID, accessToken.clientId());
    request.setAttribute(USERNAME, accessToken.username());
    request.setAttribute(SCOPES, validator.scopes(accessToken.scope()));
    chain.doFilter(new Authenticated(request, accessToken.username()), response);
  }

  /** Every {@code Authorization} header, without a list for the usual one or none. */
  private static List<String> authorizationHeaders(HttpServletRequest request) {
    Enumeration<String> headers = request.getHeaders("Authorization");
    if (headers == null || !headers.hasMoreElements()) {
      return List.of();
    }
    String first = headers.nextElement();
    if (!headers.hasMoreElements()) {
      return List.of(first);
    }
    List<String> all = new java.util.ArrayList<>();
    all.add(first);
    headers.asIterator().forEachRemaining(all::add);
    return all;
  }

  private void deny(HttpServletResponse response, String cause) throws IOException {
    System.getLogger(BearerTokenFilter.class.getName()).log(System.Logger.Level.ERROR, RequestContext.tag() + "request denied: " + cause);
    challenge.send(response, OAuthException.temporarilyUnavailable(
        "the token store is unavailable, so no token can be checked; try again in a moment"));
  }

  /** A refusal as a metrics outcome: no token at all, a bad one, or one without the scope. */
  private static String outcome(OAuthException e) {
    if (e.status() == 403) {
      return "insufficient_scope";
    }
    if (e.status() == 503) {
      return "unavailable";
    }
    return e.error() == null ? "missing" : "invalid";
  }

  /** The decoded, normalized path below the context, as servlet mapping sees it. */
  static String pathWithinContext(HttpServletRequest request) {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return path.isEmpty() ? "/" : path;
  }

  /** Exposes the token's user through the standard servlet API. */
  private static final class Authenticated extends HttpServletRequestWrapper {
    private final String username;

    Authenticated(HttpServletRequest request, String username) {
      super(request);
      this.username = username;
    }

    @Override
    public String getRemoteUser() {
      return username;
    }

    @Override
    public Principal getUserPrincipal() {
      return username == null ? null : () -> username;
    }

    @Override
    public String getAuthType() {
      return "Bearer";
    }
  }
}
