package io.portcullis.oauth;

import io.portcullis.config.ClientRegistration;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.Scopes;
import io.portcullis.store.AuthorizationCode;
import io.portcullis.store.PendingAuthorization;
import io.portcullis.store.SecretKey;
import io.portcullis.store.TokenStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The authorization endpoint's rules (RFC 6749 §4.1.1–4.1.2, RFC 7636 §4.3): validate the request,
 * hold it while a gateway user decides, and answer with a code or an error.
 */
public final class AuthorizeService {

  /** Form fields of the approval page (DESIGN 1.3). */
  public static final String TRANSACTION_ID = "transaction_id";
  public static final String CSRF_TOKEN = "csrf_token";
  public static final String USERNAME = "username";
  public static final String PASSWORD = "password";
  public static final String DECISION = "decision";

  /**
   * Passwords checked for one approval page, at most, however many forms arrive at once; the
   * request is refused as a whole when they are spent (RFC 6749 §10.10).
   */
  public static final int MAX_APPROVAL_ATTEMPTS = 5;
  /** The longest {@code state} kept for the client: it is stored with every pending request. */
  public static final int MAX_STATE_LENGTH = 1024;

  private final PortcullisConfig config;
  private final TokenStore store;
  private final UserAuthenticator users;
  private final RandomValues random;
  private final Clock clock;
  private final Throttle throttle;
  private final Audit audit;

  public AuthorizeService(PortcullisConfig config, TokenStore store, UserAuthenticator users, RandomValues random,
      Clock clock, Throttle throttle, Audit audit) {
    this.config = config;
    this.store = store;
    this.users = users;
    this.random = random;
    this.clock = clock;
    this.throttle = throttle;
    this.audit = audit;
  }

  /** The approvers of the config file. */
  public UserAuthenticator configUsers() {
    return users;
  }

  /** True when the parameters are an answer from the approval page rather than a new request. */
  public static boolean isApprovalForm(Parameters parameters) {
    return parameters.names().contains(TRANSACTION_ID);
  }

  /** A new authorization request: the approval page, or an error. */
  public AuthorizeOutcome start(Parameters request) {
    return start(request, configuredIssuer());
  }

  /**
   * A new authorization request.
   *
   * @param issuer sent as {@code iss} with every response to the client (RFC 9207); {@code null}
   *               for none
   */
  public AuthorizeOutcome start(Parameters request, String issuer) {
    // RFC 6749 §4.1.2.1: until client and redirect URI are verified, never redirect.
    for (String name : List.of("client_id", "redirect_uri")) {
      if (request.isRepeated(name)) {
        return untrusted("the parameter " + name + " was given more than once");
      }
    }
    String clientId = request.get("client_id");
    if (clientId == null) {
      return untrusted("the request has no client_id; the application that sent you here is misconfigured");
    }
    Optional<ClientRegistration> found = config.client(clientId);
    if (found.isEmpty()) {
      return untrusted("the client_id is not registered; the application that sent you here is misconfigured");
    }
    ClientRegistration client = found.get();
    if (!client.mayUse(ClientRegistration.AUTHORIZATION_CODE) && client.redirectUris().isEmpty()) {
      // Nowhere to send the error: a client of other grants only needs no redirect URI.
      return new AuthorizeOutcome.ErrorPage(400, "unauthorized_client", notForCodeGrant(client));
    }
    String redirectUri = request.get("redirect_uri");
    boolean redirectUriSent = redirectUri != null;
    if (redirectUri == null) {
      if (client.redirectUris().size() != 1) {
        return untrusted("redirect_uri is required: this client has several registered");
      }
      redirectUri = client.redirectUris().get(0);
    } else if (!client.redirectUris().contains(redirectUri)) {
      return untrusted("redirect_uri is not registered for this client (redirect URIs must match exactly)");
    }

    // From here on the redirect URI is trusted: errors go back to the client.
    String state = null;
    try {
      try {
        state = request.isRepeated("state") ? null : request.get("state");
      } catch (OAuthException controlCharacters) {
        // A state that cannot be sent back as it came is not sent back at all.
        throw OAuthException.invalidRequest("state must be printable ASCII (RFC 6749 Appendix A.5)");
      }
      if (state != null && !isVisibleAscii(state)) {
        state = null;
        throw OAuthException.invalidRequest("state must be printable ASCII (RFC 6749 Appendix A.5)");
      }
      if (state != null && state.length() > MAX_STATE_LENGTH) {
        state = null;
        throw OAuthException.invalidRequest("state is longer than " + MAX_STATE_LENGTH + " characters");
      }
      request.rejectRepeated();
      if (!client.mayUse(ClientRegistration.AUTHORIZATION_CODE)) {
        // RFC 6749 §4.1.2.1: no approval page, and no code the token endpoint would refuse.
        throw OAuthException.unauthorizedClient(notForCodeGrant(client));
      }
      String responseType = request.get("response_type");
      if (responseType == null) {
        throw OAuthException.invalidRequest("response_type is missing; use response_type=code");
      }
      if (!responseType.equals("code")) {
        throw OAuthException.unsupportedResponseType("only response_type=code is supported");
      }
      String scope = grantedScope(client, request.get("scope"));
      String challenge = request.get("code_challenge");
      String method = request.get("code_challenge_method");
      if (challenge == null) {
        if (method != null) {
          throw OAuthException.invalidRequest("code_challenge_method was sent without a code_challenge");
        }
        if (client.pkceRequired()) {
          throw OAuthException.invalidRequest(
              "PKCE is required: send code_challenge and code_challenge_method=S256 (RFC 7636)");
        }
      } else {
        // RFC 7636 §4.3: no method means plain.
        method = method == null ? Pkce.PLAIN : method;
        if (!method.equals(Pkce.S256) && !method.equals(Pkce.PLAIN)) {
          throw OAuthException.invalidRequest("code_challenge_method must be S256");
        }
        if (!config.pkceMethods().contains(method)) {
          throw OAuthException.invalidRequest(request.get("code_challenge_method") == null
              ? "code_challenge_method is missing, which means plain; send code_challenge_method=S256"
              : "code_challenge_method=plain is not allowed; use S256");
        }
        if (!Pkce.isValidChallenge(challenge, method)) {
          throw OAuthException.invalidRequest(method.equals(Pkce.S256)
              ? "code_challenge is not an S256 challenge: it must be 43 base64url characters (RFC 7636 section 4.2)"
              : "code_challenge must be 43 to 128 unreserved characters (RFC 7636 section 4.2)");
        }
      }
      String transactionId = random.token();
      String csrfToken = random.token();
      store.savePendingAuthorization(transactionId, new PendingAuthorization(client.clientId(), redirectUri,
          redirectUriSent, scope, state, challenge, challenge == null ? null : method,
          SecretKey.sha256(csrfToken), clock.instant().plus(config.authorizationRequestTtl()), 0));
      return new AuthorizeOutcome.ShowApproval(client, Scopes.split(scope), transactionId, csrfToken,
          redirectUri, 200, null);
    } catch (OAuthException e) {
      return errorRedirect(redirectUri, e, state, issuer);
    }
  }

  /** The approval page was submitted; credentials are checked against the configured users. */
  public AuthorizeOutcome decide(Parameters form) {
    return decide(form, users, configuredIssuer());
  }

  /** The approval page was submitted; credentials are checked by {@code users}. */
  public AuthorizeOutcome decide(Parameters form, UserAuthenticator users) {
    return decide(form, users, configuredIssuer());
  }

  /**
   * The approval page was submitted; credentials are checked by {@code users}, and {@code issuer}
   * goes with the response as {@code iss} (RFC 9207).
   */
  public AuthorizeOutcome decide(Parameters form, UserAuthenticator users, String issuer) {
    return decide(form, users, issuer, Throttle.UNKNOWN_ADDRESS);
  }

  /**
   * The approval page was submitted from {@code address}; credentials are checked by
   * {@code users}, unless sign-ins from there or for that username are throttled.
   */
  public AuthorizeOutcome decide(Parameters form, UserAuthenticator users, String issuer, String address) {
    String transactionId;
    String csrfToken;
    String decision;
    try {
      transactionId = form.get(TRANSACTION_ID);
      csrfToken = form.get(CSRF_TOKEN);
      decision = form.get(DECISION);
    } catch (OAuthException e) {
      return new AuthorizeOutcome.ErrorPage(400, e.error(), e.description());
    }
    if (transactionId == null || csrfToken == null) {
      return new AuthorizeOutcome.ErrorPage(400, "invalid_request",
          "the approval form is incomplete; return to the application and start again");
    }
    Optional<PendingAuthorization> found = store.findPendingAuthorization(transactionId);
    if (found.isEmpty()) {
      return expired();
    }
    PendingAuthorization pending = found.get();
    if (!MessageDigest.isEqual(pending.csrfTokenHash(), SecretKey.sha256(csrfToken))) {
      return new AuthorizeOutcome.ErrorPage(403, "invalid_request",
          "the approval form could not be verified; return to the application and start again");
    }
    // The config may have changed since the page was shown (a reload): a client no longer
    // registered, or a redirect URI taken from it, gets no answer at all.
    ClientRegistration client = config.client(pending.clientId()).orElse(null);
    if (client == null || !client.redirectUris().contains(pending.redirectUri())) {
      store.takePendingAuthorization(transactionId);
      return new AuthorizeOutcome.ErrorPage(400, "invalid_request",
          "this application, or its redirect address, is no longer registered; return to the application and "
              + "start again");
    }
    if ("deny".equals(decision)) {
      if (store.takePendingAuthorization(transactionId).isEmpty()) {
        return expired();
      }
      audit.record("approval", "denied", client.clientId(), null, address);
      return errorRedirect(pending.redirectUri(),
          OAuthException.accessDenied("the user denied the request"), pending.state(), issuer);
    }
    if (!"approve".equals(decision)) {
      return new AuthorizeOutcome.ErrorPage(400, "invalid_request", "decision must be approve or deny");
    }
    String username;
    String password;
    try {
      username = form.get(USERNAME);
      password = form.get(PASSWORD);
    } catch (OAuthException e) {
      return retry(transactionId, csrfToken, pending, client, 400, e.description());
    }
    if (username == null || password == null) {
      return retry(transactionId, csrfToken, pending, client, 401, "Enter your username and password to approve.");
    }
    // The throttle and a hashing permit first: a sign-in refused unchecked (429 locked, 503 busy)
    // costs the page none of its tries, so the page it shows again can still be used later.
    Throttle.Attempt admitted;
    try {
      admitted = throttle.admitPassword(username, address);
    } catch (OAuthException throttled) {
      return unchecked(throttled, client, username, address, transactionId, csrfToken, pending);
    }
    // Then counted before the password is checked, atomically: forms posted in parallel each get
    // an attempt number of their own, so no more than MAX_APPROVAL_ATTEMPTS passwords are ever
    // checked for one page, and past that the right password is answered as a wrong one.
    Checked checked;
    boolean[] permitted = {false};
    try {
      checked = throttle.hashing(() -> {
        permitted[0] = true;
        int number = store.countApprovalAttempt(transactionId);
        boolean checks = number >= 1 && number <= MAX_APPROVAL_ATTEMPTS;
        return new Checked(number, checks, checks ? users.authenticate(username, password) : Optional.empty());
      });
    } catch (RuntimeException | Error failed) {
      // Never checked, or it failed on the way: not a failure of the user's.
      try {
        admitted.forget();
      } catch (RuntimeException again) {
        failed.addSuppressed(again);
      }
      if (failed instanceof OAuthException busy && !permitted[0]) {
        return unchecked(busy, client, username, address, transactionId, csrfToken, pending); // no permit: 503
      }
      throw failed;
    }
    if (checked.checked() && checked.user().isEmpty()) {
      admitted.failed();
    } else {
      admitted.forget(); // right, or not checked at all
    }
    int attempt = checked.attempt();
    if (attempt == 0) {
      return expired();
    }
    Optional<String> user = checked.user();
    if (user.isEmpty()) {
      audit.record("approval", attempt > MAX_APPROVAL_ATTEMPTS ? "too_many_attempts" : "wrong_password",
          client.clientId(), username, address);
      if (attempt >= MAX_APPROVAL_ATTEMPTS) {
        if (store.takePendingAuthorization(transactionId).isEmpty()) {
          return expired();
        }
        return errorRedirect(pending.redirectUri(), OAuthException.accessDenied(
            "too many wrong passwords for this authorization request; start again"), pending.state(), issuer);
      }
      return retry(transactionId, csrfToken, pending, client, 401, "The username or password is incorrect.");
    }
    // Taken atomically: a form submitted twice yields one code.
    if (store.takePendingAuthorization(transactionId).isEmpty()) {
      return expired();
    }
    audit.record("approval", "approved", client.clientId(), user.get(), address, "scope", pending.scope());
    String code = random.code();
    Instant approved = clock.instant();
    store.saveAuthorizationCode(code, new AuthorizationCode(random.grantId(), client.clientId(), user.get(),
        pending.redirectUri(), pending.redirectUriSent(), pending.scope(), pending.codeChallenge(),
        pending.codeChallengeMethod(), approved, approved.plus(config.authorizationCodeTtl())));
    Map<String, String> response = new LinkedHashMap<>();
    response.put("code", code);
    if (pending.state() != null) {
      response.put("state", pending.state());
    }
    if (issuer != null) {
      response.put("iss", issuer);
    }
    return new AuthorizeOutcome.Redirect(appendQuery(pending.redirectUri(), response));
  }

  /** What one approval form's check found: its attempt number, whether the password was checked, and whose it is. */
  private record Checked(int attempt, boolean checked, Optional<String> user) {}

  /** The page again, unchecked: the sign-in was throttled (429) or no hashing permit was free (503). */
  private AuthorizeOutcome unchecked(OAuthException refused, ClientRegistration client, String username,
      String address, String transactionId, String csrfToken, PendingAuthorization pending) {
    audit.record("approval", refused.status() == 429 ? "locked" : "busy", client.clientId(), username, address);
    // Not checked at all (RFC 6749 §10.10): the page again, with when to try once more.
    return new AuthorizeOutcome.ShowApproval(client, Scopes.split(pending.scope()), transactionId, csrfToken,
        pending.redirectUri(), refused.status(), refused.status() == 429
            ? "Too many sign-in attempts. Try again in " + minutes(refused.retryAfterSeconds()) + "."
            : "The server is busy. Try again in a moment.", refused.retryAfterSeconds());
  }

  private static String minutes(long seconds) {
    long minutes = (seconds + 59) / 60;
    return minutes <= 1 ? "a minute" : minutes + " minutes";
  }

  private AuthorizeOutcome retry(String transactionId, String csrfToken, PendingAuthorization pending,
      ClientRegistration client, int status, String message) {
    return new AuthorizeOutcome.ShowApproval(client, Scopes.split(pending.scope()), transactionId, csrfToken,
        pending.redirectUri(), status, message);
  }

  private static AuthorizeOutcome expired() {
    return new AuthorizeOutcome.ErrorPage(400, "invalid_request",
        "this authorization request has expired or was already answered; return to the application and start again");
  }

  private static String notForCodeGrant(ClientRegistration client) {
    return "this client may not use the authorization_code grant (see grantTypes in its registration)";
  }

  private static AuthorizeOutcome untrusted(String description) {
    return new AuthorizeOutcome.ErrorPage(400, "invalid_request", description);
  }

  /** RFC 6749 §3.3: no scope asked means everything the client may have. */
  private static String grantedScope(ClientRegistration client, String requested) {
    if (requested == null) {
      return Scopes.format(client.scopes());
    }
    Set<String> asked = Scopes.parse(requested);
    if (asked == null) {
      throw OAuthException.invalidScope("scope must be space-separated scope tokens (RFC 6749 section 3.3)");
    }
    return Scopes.narrow(client.scopes(), asked, () -> OAuthException.invalidScope(
        "scope goes beyond what this client may ask for (" + Scopes.format(client.scopes()) + ")"));
  }


  /** RFC 6749 §4.1.2.1: {@code error}, {@code error_description} and {@code state} to the client. */
  private String configuredIssuer() {
    return config.issuer().map(java.net.URI::toString).orElse(null);
  }

  private static AuthorizeOutcome errorRedirect(String redirectUri, OAuthException e, String state, String issuer) {
    Map<String, String> response = new LinkedHashMap<>();
    response.put("error", e.error());
    response.put("error_description", e.description());
    if (state != null) {
      response.put("state", state);
    }
    if (issuer != null) {
      response.put("iss", issuer);
    }
    return new AuthorizeOutcome.Redirect(appendQuery(redirectUri, response));
  }

  /** RFC 6749 §3.1.2: keep the redirect URI's own query and add ours. */
  static String appendQuery(String uri, Map<String, String> parameters) {
    StringBuilder location = new StringBuilder(uri);
    char separator = uri.indexOf('?') >= 0 ? '&' : '?';
    if (uri.endsWith("?") || uri.endsWith("&")) {
      separator = 0;
    }
    for (Map.Entry<String, String> p : parameters.entrySet()) {
      if (separator != 0) {
        location.append(separator);
      }
      location.append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
      separator = '&';
    }
    return location.toString();
  }

  private static boolean isVisibleAscii(String s) {
    return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
  }
}
