package io.portcullis.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole configuration, loaded and validated once by {@link ConfigLoader}.
 *
 * @param source      where it was read from, for log lines
 * @param issuer      the authorization server's identifier; empty means derived per request
 * @param pkceMethods {@code S256}, plus {@code plain} only when the operator opted in
 * @param userSource  who may approve: {@link #USERS_FROM_CONFIG} or {@link #USERS_FROM_CONTAINER}
 * @param approverRole with container users, the role an approver must have; otherwise null
 * @param scopeDescriptions plain words for scopes, shown on the approval page
 * @param routes      sorted longest pattern first, so the first match is the most specific
 * @param maxGrantLifetime how long a grant lives at most, however often it is refreshed
 * @param throttling  limits on failed passwords and client secrets
 * @param transport   whether TLS is required, and which proxies' forwarding headers count
 * @param warnings    things that work but should not stay so (plain-text secrets, ...)
 */
public record PortcullisConfig(
    String source,
    Optional<URI> issuer,
    String realm,
    boolean enforcePkce,
    Set<String> pkceMethods,
    Duration authorizationCodeTtl,
    Duration accessTokenTtl,
    Duration refreshTokenTtl,
    Duration maxGrantLifetime,
    Duration authorizationRequestTtl,
    String userSource,
    String approverRole,
    Map<String, UserAccount> users,
    Map<String, String> scopeDescriptions,
    Map<String, ClientRegistration> clients,
    List<RouteRule> routes,
    StoreSettings store,
    ThrottlingSettings throttling,
    TransportSettings transport,
    OperationsSettings operations,
    List<String> warnings) implements GuardRules {

  /** Approvers are the {@code users} of the config file (the default). */
  public static final String USERS_FROM_CONFIG = "config";
  /** Approvers are checked by the container's realm through {@code HttpServletRequest.login}. */
  public static final String USERS_FROM_CONTAINER = "container";

  public PortcullisConfig {
    pkceMethods = Set.copyOf(pkceMethods);
    users = Map.copyOf(users);
    scopeDescriptions = Map.copyOf(scopeDescriptions);
    clients = Map.copyOf(clients);
    routes = List.copyOf(routes);
    warnings = List.copyOf(warnings);
  }

  public Optional<ClientRegistration> client(String clientId) {
    return Optional.ofNullable(clients.get(clientId));
  }

  /**
   * The longest any access or refresh token of this config may live: how long a revocation or a
   * spent code must be remembered.
   */
  public Duration longestTokenLifetime() {
    Duration longest = accessTokenTtl.compareTo(refreshTokenTtl) >= 0 ? accessTokenTtl : refreshTokenTtl;
    for (ClientRegistration client : clients.values()) {
      for (Duration ttl : List.of(client.accessTokenTtl(), client.refreshTokenTtl())) {
        longest = ttl.compareTo(longest) > 0 ? ttl : longest;
      }
    }
    return longest;
  }

  public boolean usesContainerUsers() {
    return USERS_FROM_CONTAINER.equals(userSource);
  }

  /** The plain-words description of a scope, if the config gives one. */
  public Optional<String> describe(String scope) {
    return Optional.ofNullable(scopeDescriptions.get(scope));
  }

  public Optional<UserAccount> user(String username) {
    return Optional.ofNullable(users.get(username));
  }

  /** Tokens of a client no longer registered are refused. */
  @Override
  public boolean acceptsTokensOf(String clientId) {
    return clients.containsKey(clientId);
  }

  /** Tokens a user approved who is no longer among {@code users} are refused. */
  @Override
  public boolean acceptsTokensOfUser(String username) {
    return username == null || usesContainerUsers() || users.containsKey(username);
  }
}
