package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard plugin's config: routes, realm, and either the shared Redis or introspection. */
class GuardConfigLoaderTest {

  @TempDir Path dir;

  private static GuardConfig load(String json) throws ConfigException {
    return GuardConfigLoader.load("guard.json", JsonParser.parseString(json));
  }

  private static List<String> problems(String json) {
    return assertThrows(ConfigException.class, () -> load(json)).problems();
  }

  @Test
  void aGuardOnTheSharedRedisNeedsNoClientsOrUsers() throws Exception {
    GuardConfig config = load("""
        {"realm": "orders", "store": {"type": "redis", "uri": "redis://redis.example:6379", "nearCacheMillis": 2000},
         "routes": [{"path": "/health", "public": true}, {"path": "/orders/*", "scopes": ["orders"]}]}
        """);

    assertEquals("orders", config.realm());
    assertEquals(URI.create("redis://redis.example:6379"), config.store().orElseThrow().redis().orElseThrow().uri());
    assertEquals(Duration.ofMillis(2000), config.store().orElseThrow().redis().orElseThrow().nearCache());
    assertTrue(config.introspection().isEmpty());
    assertTrue(config.routeFor("/health").orElseThrow().isPublic());
    assertEquals(Set.of("orders"), config.routeFor("/orders/7").orElseThrow().scopes());
    assertTrue(config.acceptsTokensOf("any-client"), "without a client list the store alone decides");
    // No client may ask for "orders" as far as the guard knows: it does not know the clients, so no warning.
    assertEquals(List.of(), config.warnings());
    assertTrue(config.describeTokenSource().contains("redis.example:6379"), config.describeTokenSource());
  }

  @Test
  void aGuardAskingANodeReadsItsIntrospectionSettings() throws Exception {
    GuardConfig config = load("""
        {"introspection": {"url": "https://portcullis.example/invoke/pub.apigateway.oauth2/introspectToken",
           "clientId": "orders-api", "clientSecret": "s3cret", "cacheSeconds": 30, "timeoutMillis": 800}}
        """);

    IntrospectionSettings introspection = config.introspection().orElseThrow();
    assertEquals(URI.create("https://portcullis.example/invoke/pub.apigateway.oauth2/introspectToken"),
        introspection.url());
    assertEquals("orders-api", introspection.clientId());
    assertEquals("s3cret", introspection.secret(name -> null));
    assertEquals(Duration.ofSeconds(30), introspection.cache());
    assertEquals(Duration.ofMillis(800), introspection.timeout());
    assertEquals("portcullis", config.realm());
    assertFalse(introspection.toString().contains("s3cret"), introspection.toString());
    assertFalse(config.describeTokenSource().contains("s3cret"));
    assertEquals(List.of("routes: none listed: every path of this webapp needs a valid bearer token, with any scope"),
        config.warnings());
  }

  @Test
  void introspectionDefaultsToNoCachingAndATwoSecondTimeout() throws Exception {
    IntrospectionSettings introspection = load("""
        {"introspection": {"url": "http://127.0.0.1:8080/invoke/pub.apigateway.oauth2/introspectToken",
           "clientId": "orders-api", "clientSecretEnv": "GUARD_SECRET"}, "routes": []}
        """).introspection().orElseThrow();

    assertEquals(Duration.ZERO, introspection.cache());
    assertEquals(Duration.ofMillis(2000), introspection.timeout());
    assertEquals("from-env", introspection.secret(Map.of("GUARD_SECRET", "from-env")::get));
    IllegalStateException unset = assertThrows(IllegalStateException.class, () -> introspection.secret(name -> null));
    assertTrue(unset.getMessage().contains("GUARD_SECRET"), unset.getMessage());
  }

  @Test
  void theWarsOwnFileServesTheGuardTooAndItsClientListCounts() throws Exception {
    GuardConfig config = load("""
        {"issuer": "https://gw.example", "users": [{"username": "a", "password": "{noop}b"}],
         "clients": [{"clientId": "app-1", "redirectUris": ["https://app/cb"]}, {"clientId": "app-2"}],
         "store": {"type": "redis", "uri": "redis://redis.example:6379"},
         "routes": [{"path": "/api/*", "scopes": ["read"]}], "throttling": {"userFailures": 5}}
        """);

    assertEquals(Optional.of(Set.of("app-1", "app-2")), config.clientIds());
    assertTrue(config.acceptsTokensOf("app-1"));
    assertFalse(config.acceptsTokensOf("removed-client"));
    assertTrue(config.acceptsTokensOfUser("a"));
    assertFalse(config.acceptsTokensOfUser("removed-user"), "a user taken out of the file, as on the nodes");
    assertTrue(config.acceptsTokensOfUser(null), "a client acting for itself");
  }

  @Test
  void whereTheContainersUsersApproveNoUserIsListedSoNoneIsRefused() throws Exception {
    GuardConfig config = load("""
        {"userSource": "container", "approverRole": "approver", "clients": [{"clientId": "app-1"}],
         "store": {"type": "redis", "uri": "redis://redis.example:6379"}}
        """);
    assertTrue(config.acceptsTokensOfUser("alice"));
    GuardConfig guardOnly = load("""
        {"store": {"type": "redis", "uri": "redis://redis.example:6379"}}
        """);
    assertTrue(guardOnly.acceptsTokensOfUser("alice"), "a guard's own file lists no users");
    GuardConfig nodesWithoutUsers = load("""
        {"clients": [{"clientId": "app-1"}], "store": {"type": "redis", "uri": "redis://redis.example:6379"}}
        """);
    assertFalse(nodesWithoutUsers.acceptsTokensOfUser("alice"), "the nodes' file with no users: nobody, as on the nodes");
    assertTrue(nodesWithoutUsers.acceptsTokensOfUser(null));
  }

  @Test
  void exactlyOneWayOfCheckingTokens() {
    String both = """
        {"store": {"type": "redis", "uri": "redis://r:6379"},
         "introspection": {"url": "https://n/i", "clientId": "c", "clientSecret": "s"}}
        """;
    String exactlyOne = "$: the guard needs exactly one of \"store\" (the Portcullis nodes' shared Redis) and "
        + "\"introspection\" (a Portcullis node's RFC 7662 endpoint)";
    assertEquals(List.of(exactlyOne), problems(both));
    assertEquals(List.of(exactlyOne), problems("{\"routes\": []}"));
  }

  @Test
  void aMemoryStoreCannotBeShared() {
    assertEquals(List.of("store.type: the guard shares the tokens of the Portcullis nodes: \"redis\" (their Redis), "
        + "or leave \"store\" out and use \"introspection\""), problems("{\"store\": {\"type\": \"memory\"}}"));
    assertEquals(1, problems("{\"store\": {}}").size());
  }

  @Test
  void introspectionMistakesAreNamedWithTheirPath() {
    List<String> problems = problems("""
        {"introspection": {"url": "ftp://n/i", "clientSecret": "s", "clientSecretEnv": "E", "cacheSeconds": 7200,
           "cache": 5}}
        """);
    assertEquals(List.of(
        "introspection.url: must be an http:// or https:// URL of a Portcullis introspection endpoint",
        "introspection.clientId: is required",
        "introspection: needs exactly one of \"clientSecret\" and \"clientSecretEnv\" (the name of an environment "
            + "variable holding the secret)",
        "introspection.cacheSeconds: must be between 0 and 3600, not 7200",
        "introspection.cache: unknown key (known keys: url, clientId, clientSecret, clientSecretEnv, cacheSeconds, "
            + "timeoutMillis)"), problems);
    assertEquals(List.of("introspection.url: must have no user information, query or fragment"),
        problems("{\"introspection\": {\"url\": \"https://u:p@n/i\", \"clientId\": \"c\", \"clientSecret\": \"s\"}}"));
    assertEquals(List.of("introspection.clientSecretEnv: must be the name of an environment variable"),
        problems("{\"introspection\": {\"url\": \"https://n/i\", \"clientId\": \"c\", \"clientSecretEnv\": \"A B\"}}"));
  }

  @Test
  void plainHttpToAnotherHostIsWarnedOf() throws Exception {
    GuardConfig config = load("""
        {"introspection": {"url": "http://portcullis.example/i", "clientId": "c", "clientSecret": "s"}, "routes": []}
        """);
    assertEquals(List.of("introspection.url: is plain http to another host: the guard's client secret and every bearer "
        + "token it checks cross the network readable; use https"), config.warnings());
  }

  @Test
  void unknownKeysAndBadRoutesStopTheGuard() {
    List<String> problems = problems("""
        {"store": {"type": "redis", "uri": "redis://r:6379"}, "routs": [], "routes": [{"path": "api"}]}
        """);
    assertEquals(2, problems.size(), problems.toString());
    assertEquals("routes[0].path: must start with \"/\"", problems.get(0));
    assertTrue(problems.get(1).startsWith("routs: unknown key (known keys: realm, routes, store, introspection, issuer"),
        problems.get(1));
  }

  @Test
  void readsTheFileItIsPointedAt() throws Exception {
    Path file = dir.resolve("guard.json");
    Files.writeString(file, """
        {"store": {"type": "redis", "uri": "redis://r:6379"}, "routes": [{"path": "/", "public": true}]}
        """);
    assertEquals(file.toAbsolutePath().toString(), GuardConfigLoader.load(file).source());

    Files.writeString(file, "{\"store\": ");
    ConfigException malformed = assertThrows(ConfigException.class, () -> GuardConfigLoader.load(file));
    assertTrue(malformed.problems().get(0).startsWith("not valid JSON"), malformed.problems().toString());
    assertEquals(List.of("cannot be read: no such file"),
        assertThrows(ConfigException.class, () -> GuardConfigLoader.load(dir.resolve("missing.json"))).problems());
  }
}
