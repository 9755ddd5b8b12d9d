package io.portcullis.oauth;

import io.portcullis.config.ClientRegistration;
import io.portcullis.store.AccessToken;
import io.portcullis.store.RefreshToken;
import io.portcullis.store.TokenStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * RFC 7662 token introspection. The caller authenticates as a client; it learns about its own
 * tokens only, unless its registration marks it as a resource server. Anything unknown, expired,
 * revoked or not the caller's is {@code {"active": false}} and nothing more.
 */
public final class IntrospectionService {

  private final TokenStore store;
  private final ClientAuthenticator clients;

  public IntrospectionService(TokenStore store, ClientAuthenticator clients) {
    this.store = store;
    this.clients = clients;
  }

  /**
   * @param issuer the {@code iss} to report
   * @return the response members, in RFC 7662 §2.2 order
   */
  public Map<String, Object> introspect(String authorization, Parameters body, String issuer) {
    return introspect(authorization, body, issuer, Throttle.UNKNOWN_ADDRESS);
  }

  /** @param address the caller's remote address (throttling, audit) */
  public Map<String, Object> introspect(String authorization, Parameters body, String issuer, String address) {
    body.rejectRepeated();
    ClientRegistration caller = clients.authenticate(authorization, body, address);
    String token = body.require("token");
    TokenHint hint = TokenHint.parse(body.get("token_type_hint"));
    Map<String, Object> answer = new LinkedHashMap<>();
    // RFC 7662 §2.1: the hint says where to look first; the other kind is searched too.
    Optional<AccessToken> access = hint == TokenHint.REFRESH_TOKEN ? Optional.empty() : store.findAccessToken(token);
    Optional<RefreshToken> refresh = access.isPresent() ? Optional.empty() : store.findRefreshToken(token);
    if (access.isEmpty() && refresh.isEmpty() && hint == TokenHint.REFRESH_TOKEN) {
      access = store.findAccessToken(token);
    }
    if (access.isPresent() && visible(caller, access.get().clientId(), access.get().username())) {
      AccessToken t = access.get();
      describe(answer, t.scope(), t.clientId(), t.username(), "Bearer", t.expiresAtEpochSecond(),
          t.issuedAtEpochSecond(), issuer);
    } else if (refresh.isPresent() && caller.clientId().equals(refresh.get().clientId())
        && clients.stillHolds(refresh.get().clientId(), refresh.get().username())) {
      // Only its owner learns about a refresh token: a resource server asking is checking a
      // bearer token, and a refresh token is never one.
      RefreshToken t = refresh.get();
      describe(answer, t.scope(), t.clientId(), t.username(), "refresh_token", t.expiresAtEpochSecond(),
          t.issuedAtEpochSecond(), issuer);
    } else {
      answer.put("active", false);
    }
    return answer;
  }

  /** The caller's own, or any for a resource server — and only of a client and user still in the config. */
  private boolean visible(ClientRegistration caller, String owner, String username) {
    return (caller.resourceServer() || caller.clientId().equals(owner)) && clients.stillHolds(owner, username);
  }

  private static void describe(Map<String, Object> answer, String scope, String clientId, String username,
      String tokenType, long exp, long iat, String issuer) {
    answer.put("active", true);
    answer.put("scope", scope);
    answer.put("client_id", clientId);
    if (username != null) {
      answer.put("username", username);
    }
    answer.put("token_type", tokenType);
    answer.put("exp", exp);
    answer.put("iat", iat);
    if (issuer != null) {
      answer.put("iss", issuer);
    }
  }
}
