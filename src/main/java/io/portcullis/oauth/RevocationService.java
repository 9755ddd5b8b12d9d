package io.portcullis.oauth;

import io.portcullis.config.ClientRegistration;
import io.portcullis.store.AccessToken;
import io.portcullis.store.RefreshToken;
import io.portcullis.store.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * RFC 7009 token revocation. The caller authenticates as a client and may revoke its own tokens.
 * Revoking a refresh token revokes its whole grant (every access token issued from it, RFC 7009
 * §2.1); revoking an access token revokes that token. An unknown token is answered like a revoked
 * one: 200, since "the purpose of the request has been achieved".
 */
public final class RevocationService {

  private final TokenStore store;
  private final ClientAuthenticator clients;
  private final Clock clock;
  private final Duration rememberRevocation;

  /**
   * @param rememberRevocation the longest any token of the config may live
   */
  private final Audit audit;

  public RevocationService(TokenStore store, ClientAuthenticator clients, Clock clock, Duration rememberRevocation,
      Audit audit) {
    this.audit = audit;
    this.store = store;
    this.clients = clients;
    this.clock = clock;
    this.rememberRevocation = rememberRevocation;
  }

  public void revoke(String authorization, Parameters body) {
    revoke(authorization, body, Throttle.UNKNOWN_ADDRESS);
  }

  /** @param address the caller's remote address (throttling, audit) */
  public void revoke(String authorization, Parameters body, String address) {
    body.rejectRepeated();
    ClientRegistration caller = clients.authenticate(authorization, body, address);
    String token = body.require("token");
    // RFC 7009 §2.1: the hint says where to look first; the other kind is searched too.
    Revoked revoked;
    if (TokenHint.parse(body.get("token_type_hint")) == TokenHint.ACCESS_TOKEN) {
      revoked = revokeAccessToken(caller, token);
      revoked = revoked != null ? revoked : revokeRefreshToken(caller, token);
    } else {
      revoked = revokeRefreshToken(caller, token);
      revoked = revoked != null ? revoked : revokeAccessToken(caller, token);
    }
    audit.record("revocation", revoked == null ? "unknown_token" : "revoked", caller.clientId(),
        revoked == null ? null : revoked.username(), address, "token_type", revoked == null ? null : revoked.kind());
  }

  /** What a revocation found: the kind of token, and the user of its grant ({@code null} for none). */
  private record Revoked(String kind, String username) {}

  /** The refresh token and, through its grant, every token issued from it. */
  private Revoked revokeRefreshToken(ClientRegistration caller, String token) {
    Optional<RefreshToken> refresh = store.findRefreshToken(token);
    if (refresh.isEmpty()) {
      return null;
    }
    mustOwn(caller, refresh.get().clientId());
    store.revokeGrant(refresh.get().grantId(), clock.instant().plus(rememberRevocation));
    // Removed as well, so the refresh token stays dead even if the grant's revocation is evicted.
    store.revokeRefreshToken(token);
    return new Revoked("refresh_token", refresh.get().username());
  }

  private Revoked revokeAccessToken(ClientRegistration caller, String token) {
    Optional<AccessToken> access = store.findAccessToken(token);
    if (access.isEmpty()) {
      return null;
    }
    mustOwn(caller, access.get().clientId());
    store.revokeAccessToken(token);
    return new Revoked("access_token", access.get().username());
  }

  /** RFC 7009 §2.1: a client may revoke only tokens issued to it. */
  private static void mustOwn(ClientRegistration caller, String owner) {
    if (!caller.clientId().equals(owner)) {
      throw OAuthException.unauthorizedClient("the token was not issued to this client");
    }
  }
}
