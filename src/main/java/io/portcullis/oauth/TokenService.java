package io.portcullis.oauth;

import io.portcullis.config.ClientRegistration;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.Scopes;
import io.portcullis.store.AccessToken;
import io.portcullis.store.AuthorizationCode;
import io.portcullis.store.CodeRedemption;
import io.portcullis.store.TokenStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The token endpoint's rules (RFC 6749 §4.1.3–4.1.4, §5; RFC 7636 §4.5–4.6). */
public final class TokenService {

  private static final System.Logger LOG = System.getLogger(TokenService.class.getName());

  private final PortcullisConfig config;
  private final TokenStore store;
  private final ClientAuthenticator clients;
  private final RandomValues random;
  private final Clock clock;
  /** How long any token of any client can live: how long a revocation must be remembered. */
  private final Duration longestTokenTtl;

  public TokenService(
      PortcullisConfig config, TokenStore store, ClientAuthenticator clients, RandomValues random, Clock clock) {
    this.config = config;
    this.store = store;
    this.clients = clients;
    this.random = random;
    this.clock = clock;
    this.longestTokenTtl = config.clients().values().stream()
        .map(ClientRegistration::accessTokenTtl)
        .reduce(config.accessTokenTtl(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
  }

  /**
   * @param authorization the {@code Authorization} header, or {@code null}
   * @param body          the request body's parameters
   */
  public TokenResponse exchange(String authorization, Parameters body) {
    String repeated = body.firstRepeated();
    if (repeated != null) {
      throw OAuthException.invalidRequest("the parameter " + repeated + " was given more than once");
    }
    ClientRegistration client = clients.authenticate(authorization, body);
    String grantType = body.get("grant_type");
    if (grantType == null) {
      throw OAuthException.invalidRequest("grant_type is missing; use grant_type=authorization_code");
    }
    if (!grantType.equals("authorization_code")) {
      throw OAuthException.unsupportedGrantType("grant_type " + ClientAuthenticator.quoted(grantType)
          + " is not supported; use authorization_code");
    }
    return authorizationCode(client, body);
  }

  private TokenResponse authorizationCode(ClientRegistration client, Parameters body) {
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
        LOG.log(Level.WARNING, "authorization code reused by client {0}; tokens issued from it are revoked",
            client.clientId());
      } else {
        LOG.log(Level.WARNING, "client {0} presented a spent authorization code of another client",
            client.clientId());
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
    String grantedScope = narrow(granted.scope(), narrowed);

    Duration ttl = client.accessTokenTtl();
    String token = random.token();
    store.saveAccessToken(token, new AccessToken(granted.grantId(), client.clientId(), granted.username(),
        grantedScope, now.getEpochSecond(), now.plus(ttl).getEpochSecond()));
    return new TokenResponse(token, "Bearer", ttl.getSeconds(), grantedScope);
  }

  /** A token request may narrow the granted scope, never widen it (RFC 6749 section 3.3). */
  private static String narrow(String grantedScope, Set<String> requested) {
    if (requested == null) {
      return grantedScope;
    }
    List<String> granted = grantedScope.isEmpty() ? List.of() : List.of(grantedScope.split(" "));
    List<String> result = new ArrayList<>();
    for (String scope : granted) {
      if (requested.remove(scope)) {
        result.add(scope);
      }
    }
    if (!requested.isEmpty()) {
      throw OAuthException.invalidScope("scope " + String.join(" ", requested)
          + " was not granted by the user; ask for it in the authorization request");
    }
    return Scopes.format(result);
  }
}
