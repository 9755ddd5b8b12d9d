package io.portcullis.config;

import java.util.List;
import java.util.Optional;

/**
 * What the bearer filter needs of a config: the routes, and whose tokens still count. The WAR's
 * {@link PortcullisConfig} and the guard plugin's {@link GuardConfig} both give it.
 */
public interface GuardRules {

  /** Sorted longest pattern first, so the first match is the most specific. */
  List<RouteRule> routes();

  /** The most specific route for a path (exact beats prefix, longer beats shorter). */
  default Optional<RouteRule> routeFor(String path) {
    for (RouteRule route : routes()) {
      if (route.matches(path)) {
        return Optional.of(route);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether tokens issued to this client are still good: a shared store keeps the tokens of a
   * client removed from the config until they expire.
   */
  boolean acceptsTokensOf(String clientId);

  /**
   * Whether tokens the user {@code username} approved are still good: a user removed from the
   * config's {@code users} no longer holds what they approved. {@code null} (a client acting for
   * itself) always is; so is everyone where the container's users approve, whom no config lists.
   */
  default boolean acceptsTokensOfUser(String username) {
    return true;
  }

  /** Whether a token of this client, approved by this user ({@code null}: none), is still good. */
  default boolean acceptsTokensOf(String clientId, String username) {
    return acceptsTokensOf(clientId) && acceptsTokensOfUser(username);
  }
}
