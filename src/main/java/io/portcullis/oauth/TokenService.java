package io.portcullis.oauth;

import io.portcullis.config.ClientRegistration;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.Scopes;
import io.portcullis.store.AccessToken;
import io.portcullis.store.AuthorizationCode;
import io.portcullis.store.CodeRedemption;
import io.portcullis.store.LiveTokenPlace;
import io.portcullis.store.RefreshRotation;
import io.portcullis.store.RefreshToken;
import io.portcullis.store.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The token endpoint's rules: the authorization-code grant (RFC 6749 §4.1.3–4.1.4, RFC 7636
 * §4.5–4.6), refresh with rotation (RFC 6749 §6, RFC 9700 §4.14.2) and client credentials
 * (RFC 6749 §4.4); responses and errors per §5.
 */
public final class TokenService {


  private final PortcullisConfig config;
  private final TokenStore store;
  private final ClientAuthenticator clients;
  private final RandomValues random;
  private final Clock clock;
  private final Audit audit;
  /** How long any token of any client can live: how long a revocation must be remembered. */
  private final Duration longestTokenTtl;

  public TokenService(PortcullisConfig config, TokenStore store, ClientAuthenticator clients, RandomValues random,
      Clock clock, Audit audit) {
    this(config, store, clients, random, clock, audit, config.longestTokenLifetime());
  }

  /**
   * @param remember how long a revocation or spent code is remembered: at least the longest
   *     lifetime of anything issued so far, which a reload that shortens TTLs does not shorten
   */
  public TokenService(PortcullisConfig config, TokenStore store, ClientAuthenticator clients, RandomValues random,
      Clock clock, Audit audit, Duration remember) {
    this.config = config;
    this.store = store;
    this.clients = clients;
    this.random = random;
    this.clock = clock;
    this.audit = audit;
    this.longestTokenTtl = remember;
  }

  /**
   * @param authorization the {@code Authorization} header, or {@code null}
   * @param body          the request body's parameters
   */
  public TokenResponse exchange(String authorization, Parameters body) {
    return exchange(authorization, body, ClientRegistration.GRANT_TYPES);
  }

  /**
   * @param offered the grant types this endpoint answers (webMethods' refreshAccessToken offers
   *                refresh_token alone)
   */
  public TokenResponse exchange(String authorization, Parameters body, Set<String> offered) {
    return exchange(authorization, body, offered, Throttle.UNKNOWN_ADDRESS);
  }

  /** @param address the caller's remote address (throttling, audit) */
  public TokenResponse exchange(String authorization, Parameters body, Set<String> offered, String address) {
    body.rejectRepeated();
    ClientRegistration client = clients.authenticate(authorization, body, address);
    String grantType = body.get("grant_type");
    if (grantType == null) {
      throw OAuthException.invalidRequest("grant_type is missing; use "
          + String.join(" or ", new java.util.TreeSet<>(offered).stream().map(g -> "grant_type=" + g).toList()));
    }
    if (!offered.contains(grantType)) {
      throw OAuthException.unsupportedGrantType("this grant_type is not supported here; use "
          + String.join(" or ", new java.util.TreeSet<>(offered)));
    }
    if (!client.mayUse(grantType)) {
      throw OAuthException.unauthorizedClient("this client may not use the " + grantType
          + " grant (see grantTypes in its registration)");
    }
    // A place among the client's live tokens is taken before a code or refresh token is spent,
    // so a client at its quota keeps them; given back if no token comes of it.
    LiveTokenPlace place = store.reserveLiveToken(client.clientId(), client.maxLiveTokens());
    if (place == null) {
      throw quotaReached(client);
    }
    boolean issued = false;
    try {
      TokenResponse response = switch (grantType) {
        case ClientRegistration.AUTHORIZATION_CODE -> authorizationCode(client, body, address, place);
        case ClientRegistration.REFRESH_TOKEN -> refreshToken(client, body, address, place);
        default -> clientCredentials(client, body, address, place);
      };
      issued = true;
      return response;
    } finally {
      if (!issued) {
        store.releaseLiveToken(place);
      }
    }
  }

  private TokenResponse authorizationCode(ClientRegistration client, Parameters body, String address,
      LiveTokenPlace place) {
    String code = body.require("code");
    String redirectUri = body.get("redirect_uri");
    String verifier = body.get("code_verifier");
    String scope = body.get("scope");
    // Checked before the code is spent, so a client's malformed request does not cost its code.
    if (verifier != null && !Pkce.isValidVerifier(verifier)) {
      throw OAuthException.invalidGrant(
          "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)");
    }
    Set<String> narrowed = null;
    if (scope != null) {
      narrowed = Scopes.parse(scope);
      if (narrowed == null) {
        throw OAuthException.invalidScope("scope must be space-separated scope tokens (RFC 6749 section 3.3)");
      }
    }

    Instant now = clock.instant();
    CodeRedemption redemption = store.redeemAuthorizationCode(code, now.plus(longestTokenTtl));
    if (redemption instanceof CodeRedemption.AlreadyUsed used) {
      // RFC 6749 §4.1.2: a code used twice may be stolen; revoke what the first use issued. Only
      // its own client's replay counts: otherwise any client could kill others' tokens with a
      // spent code found in a browser history.
      if (used.clientId().equals(client.clientId())) {
        store.revokeGrant(used.grantId(), now.plus(longestTokenTtl));
        audit.record("code_replay", "grant_revoked", client.clientId(), used.username(), address);
      } else {
        audit.record("code_replay", "refused", client.clientId(), null, address, "reason", "another_clients_code");
      }
      throw OAuthException.invalidGrant("the authorization code is invalid, expired or already used");
    }
    if (!(redemption instanceof CodeRedemption.Redeemed redeemed)) {
      throw OAuthException.invalidGrant("the authorization code is invalid, expired or already used");
    }
    AuthorizationCode granted = redeemed.code();
    if (!granted.clientId().equals(client.clientId())) {
      throw OAuthException.invalidGrant("the authorization code was issued to another client");
    }
    if (!config.acceptsTokensOfUser(granted.username())) {
      throw OAuthException.invalidGrant("the user who approved this code is no longer a user of this server");
    }
    // RFC 6749 §4.1.3: redirect_uri must repeat the authorization request's, if it had one.
    if (granted.redirectUriSent() ? !granted.redirectUri().equals(redirectUri)
        : redirectUri != null && !granted.redirectUri().equals(redirectUri)) {
      throw OAuthException.invalidGrant(redirectUri == null
          ? "redirect_uri is missing; send the one used in the authorization request"
          : "redirect_uri does not match the one used in the authorization request");
    }
    if (granted.codeChallenge() != null) {
      if (verifier == null) {
        throw OAuthException.invalidGrant("code_verifier is missing; this code was issued with a code_challenge");
      }
      if (!Pkce.matches(verifier, granted.codeChallenge(), granted.codeChallengeMethod())) {
        throw OAuthException.invalidGrant("code_verifier does not match the code_challenge");
      }
    } else if (verifier != null) {
      // RFC 9700 §2.1.1: a verifier for a code issued without a challenge hints at a downgrade.
      throw OAuthException.invalidGrant("code_verifier was sent, but the authorization request had no code_challenge");
    }
    // A scope taken from the registration since the approval (a config reload) is not handed out.
    String allowed = stillAllowed(client, granted.scope());
    String grantedScope = narrow(allowed, narrowed);

    return issue(client, granted.grantId(), granted.username(), grantedScope, allowed, now,
        now.plus(config.maxGrantLifetime()), ClientRegistration.AUTHORIZATION_CODE, address, place);
  }

  /** RFC 6749 §6 with rotation: each use spends the refresh token and buys a new one. */
  private TokenResponse refreshToken(ClientRegistration client, Parameters body, String address,
      LiveTokenPlace place) {
    String presented = body.require("refresh_token");
    Set<String> narrowed = requestedScope(body);
    // What could still be refused is refused before the token is spent — a widened scope, a grant
    // whose scopes the registration no longer allows: otherwise the client's retry would be taken
    // for a replay and cost it the whole grant. (Another client's token is left to the rotation,
    // which answers invalid_grant without telling it the token exists.)
    store.findRefreshToken(presented).filter(t -> t.clientId().equals(client.clientId())).ifPresent(t -> {
      if (!config.acceptsTokensOfUser(t.username())) {
        // The user was taken out of the config: the grant ends, as the bearer filter already says.
        throw OAuthException.invalidGrant("the refresh token is invalid, expired, revoked or already used");
      }
      narrow(stillAllowed(client, t), narrowed == null ? null : new LinkedHashSet<>(narrowed));
    });
    Instant now = clock.instant();
    RefreshRotation rotation = store.rotateRefreshToken(presented, client.clientId(), now.plus(longestTokenTtl));
    if (rotation instanceof RefreshRotation.AlreadyUsed used) {
      // RFC 9700 §4.14.2: a rotated refresh token used again means two parties hold it; revoke the
      // whole grant, so neither the thief nor the victim keeps a working token.
      if (used.clientId().equals(client.clientId())) {
        store.revokeGrant(used.grantId(), now.plus(longestTokenTtl));
        audit.record("refresh_reuse", "grant_revoked", client.clientId(), used.username(), address);
      }
      throw OAuthException.invalidGrant("the refresh token is invalid, expired, revoked or already used");
    }
    if (!(rotation instanceof RefreshRotation.Rotated rotated)) {
      throw OAuthException.invalidGrant("the refresh token is invalid, expired, revoked or already used");
    }
    RefreshToken spent = rotated.token();
    if (!config.acceptsTokensOfUser(spent.username())) {
      throw OAuthException.invalidGrant("the refresh token is invalid, expired, revoked or already used");
    }
    String stillAllowed = stillAllowed(client, spent);
    return issue(client, spent.grantId(), spent.username(), narrow(stillAllowed, narrowed), stillAllowed, now,
        Instant.ofEpochSecond(spent.grantEndsAtEpochSecond()), ClientRegistration.REFRESH_TOKEN, address, place);
  }

  /**
   * What the user granted, as far as the client's registration still allows it: a scope taken
   * from the registration since is not handed out again.
   *
   * @throws OAuthException {@code invalid_grant} when nothing of the grant is allowed any more
   */
  private static String stillAllowed(ClientRegistration client, RefreshToken grant) {
    return stillAllowed(client, grant.scope());
  }

  private static String stillAllowed(ClientRegistration client, String scope) {
    List<String> allowed = Scopes.split(scope).stream().filter(client.scopes()::contains).toList();
    if (allowed.isEmpty() && !scope.isEmpty()) {
      throw OAuthException.invalidGrant("none of the scopes of this grant is registered for the client any more; "
          + "ask for a new authorization");
    }
    return Scopes.format(allowed);
  }

  /** RFC 6749 §4.4: the client acts for itself; no user, no refresh token. */
  private TokenResponse clientCredentials(ClientRegistration client, Parameters body, String address,
      LiveTokenPlace place) {
    Set<String> requested = requestedScope(body);
    String scope = requested == null ? Scopes.format(client.scopes())
        : Scopes.narrow(client.scopes(), requested, () -> OAuthException.invalidScope(
            "scope goes beyond what this client may ask for (" + Scopes.format(client.scopes()) + ")"));
    Instant now = clock.instant();
    Duration ttl = client.accessTokenTtl();
    String token = random.token();
    store.saveReservedAccessToken(token, new AccessToken(random.grantId(), client.clientId(), null, scope,
        now.getEpochSecond(), now.plus(ttl).getEpochSecond()), place);
    audit.record("token_issued", "success", client.clientId(), null, address,
        "grant_type", ClientRegistration.CLIENT_CREDENTIALS, "scope", scope);
    return new TokenResponse(token, "Bearer", ttl.getSeconds(), scope);
  }

  /**
   * An access token for the grant, and a refresh token when the client may refresh. The refresh
   * token keeps the grant's whole scope (RFC 6749 §6), even when this access token was narrowed.
   */
  private TokenResponse issue(ClientRegistration client, long grantId, String username, String scope,
      String grantScope, Instant now, Instant grantEnds, String grantType, String address, LiveTokenPlace place) {
    // No token outlives its grant (maxGrantLifetimeSeconds), however often the grant is refreshed.
    Instant expires = earlier(now.plus(client.accessTokenTtl()), grantEnds);
    String token = random.token();
    store.saveReservedAccessToken(token, new AccessToken(grantId, client.clientId(), username, scope,
        now.getEpochSecond(), expires.getEpochSecond()), place);
    String refresh = null;
    if (client.mayUse(ClientRegistration.REFRESH_TOKEN)) {
      refresh = random.token();
      store.saveRefreshToken(refresh, new RefreshToken(grantId, client.clientId(), username, grantScope,
          now.getEpochSecond(), earlier(now.plus(client.refreshTokenTtl()), grantEnds).getEpochSecond(),
          grantEnds.getEpochSecond()));
    }
    audit.record("token_issued", "success", client.clientId(), username, address, "grant_type", grantType,
        "scope", scope);
    return new TokenResponse(token, "Bearer", Math.max(0, expires.getEpochSecond() - now.getEpochSecond()), scope,
        refresh);
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** A client at its quota of live tokens gets no more (one client must not crowd out the others). */
  private static OAuthException quotaReached(ClientRegistration client) {
    return OAuthException.of("temporarily_unavailable", 429, "this client already holds its limit of "
        + client.maxLiveTokens() + " live access tokens; reuse them until they expire, or revoke some");
  }

  private static Set<String> requestedScope(Parameters body) {
    String scope = body.get("scope");
    if (scope == null) {
      return null;
    }
    Set<String> requested = Scopes.parse(scope);
    if (requested == null) {
      throw OAuthException.invalidScope("scope must be space-separated scope tokens (RFC 6749 section 3.3)");
    }
    return requested;
  }

  /** A token request may narrow the granted scope, never widen it (RFC 6749 section 3.3). */
  private static String narrow(String grantedScope, Set<String> requested) {
    if (requested == null) {
      return grantedScope;
    }
    return Scopes.narrow(Scopes.split(grantedScope), requested, () -> OAuthException.invalidScope(
        "scope may only narrow what was granted (" + grantedScope
            + "); ask for more in a new authorization request"));
  }
}
