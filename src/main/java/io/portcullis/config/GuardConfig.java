package io.portcullis.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The config of {@code portcullis-guard.jar}, the bearer filter in another webapp, loaded and
 * validated once by {@link GuardConfigLoader}: where tokens are checked, and the routes.
 *
 * @param source        where it was read from, for log lines
 * @param routes        sorted longest pattern first
 * @param store         the Portcullis nodes' shared Redis, or empty with {@code introspection}
 * @param introspection a Portcullis node's RFC 7662 endpoint, or empty with {@code store}
 * @param clientIds     the registered clients when the file lists them (the WAR's own config
 *                      file); empty when it does not, and then the token store decides alone
 * @param warnings      things that work but should not stay so
 */
public record GuardConfig(
    String source,
    String realm,
    List<RouteRule> routes,
    Optional<StoreSettings> store,
    Optional<IntrospectionSettings> introspection,
    Optional<Set<String>> clientIds,
    Optional<Set<String>> usernames,
    List<String> warnings) implements GuardRules {

  public GuardConfig {
    routes = List.copyOf(routes);
    clientIds = clientIds.map(Set::copyOf);
    usernames = usernames.map(Set::copyOf);
    warnings = List.copyOf(warnings);
  }

  @Override
  public boolean acceptsTokensOf(String clientId) {
    return clientIds.map(ids -> ids.contains(clientId)).orElse(true);
  }

  /** Where the file lists {@code users} (the nodes' own file), a user taken out of it is refused as on the nodes. */
  @Override
  public boolean acceptsTokensOfUser(String username) {
    return username == null || usernames.map(names -> names.contains(username)).orElse(true);
  }

  /** Where tokens are checked, for the log: no password, no secret. */
  public String describeTokenSource() {
    if (store.isPresent()) {
      return "the shared " + store.get().redis().map(RedisSettings::describe).orElse("store");
    }
    return introspection.map(i -> "introspection at " + i.url() + " as client " + i.clientId()
        + (i.cache().isZero() ? ", no caching" : ", answers kept up to " + i.cache().toSeconds() + " s")).orElse("");
  }
}
