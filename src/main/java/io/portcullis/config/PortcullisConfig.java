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
 * @param routes      sorted longest pattern first, so the first match is the most specific
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
    Duration authorizationRequestTtl,
    Map<String, UserAccount> users,
    Map<String, ClientRegistration> clients,
    List<RouteRule> routes,
    StoreSettings store,
    List<String> warnings) {

  public PortcullisConfig {
    pkceMethods = Set.copyOf(pkceMethods);
    users = Map.copyOf(users);
    clients = Map.copyOf(clients);
    routes = List.copyOf(routes);
    warnings = List.copyOf(warnings);
  }

  public Optional<ClientRegistration> client(String clientId) {
    return Optional.ofNullable(clients.get(clientId));
  }

  public Optional<UserAccount> user(String username) {
    return Optional.ofNullable(users.get(username));
  }

  /** The most specific route for a path (exact beats prefix, longer beats shorter). */
  public Optional<RouteRule> routeFor(String path) {
    for (RouteRule route : routes) {
      if (route.matches(path)) {
        return Optional.of(route);
      }
    }
    return Optional.empty();
  }
}
