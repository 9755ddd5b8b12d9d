package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The keys of the newer grants: grantTypes, refreshTokenTtlSeconds, resourceServer. */
class ConfigLoaderGrantTypesTest {

  static final String REDIRECT = "\"redirectUris\": [\"https://app.example/cb\"]";
  static final String SECRET = "\"clientSecret\": \"{noop}s\"";

  // ---- grantTypes ----

  @Test
  void grantTypesDefaultToTheAuthorizationCodeGrant() throws ConfigException {
    ClientRegistration client = client("{\"clientId\": \"app\", " + REDIRECT + "}");
    assertEquals(Set.of(ClientRegistration.AUTHORIZATION_CODE), client.grantTypes());
    assertTrue(client.mayUse("authorization_code"));
    assertFalse(client.mayUse("refresh_token"));
    assertFalse(client.mayUse("client_credentials"));
  }

  @Test
  void nullGrantTypesMeansTheDefault() throws ConfigException {
    ClientRegistration client = client("{\"clientId\": \"app\", " + REDIRECT + ", \"grantTypes\": null}");
    assertEquals(Set.of(ClientRegistration.AUTHORIZATION_CODE), client.grantTypes());
  }

  @Test
  void everyGrantTypeMayBeListed() throws ConfigException {
    ClientRegistration client = client("{\"clientId\": \"app\", " + SECRET + ", " + REDIRECT
        + ", \"grantTypes\": [\"client_credentials\", \"refresh_token\", \"authorization_code\"]}");
    assertEquals(ClientRegistration.GRANT_TYPES, client.grantTypes());
    assertTrue(client.mayUse("refresh_token"));
    assertTrue(client.mayUse("client_credentials"));
  }

  @Test
  void unknownGrantTypeNamesTheOffersAndWhyImplicitAndPasswordAreNot() {
    assertEquals(List.of(
        "clients[0].grantTypes[1]: must be authorization_code, refresh_token or client_credentials, not \"password\" "
            + "(implicit and password are not offered: RFC 9700 §2.1.2, §2.4)",
        "clients[0].grantTypes[2]: must be authorization_code, refresh_token or client_credentials, not \"implicit\" "
            + "(implicit and password are not offered: RFC 9700 §2.1.2, §2.4)",
        "clients[0].grantTypes[3]: must be authorization_code, refresh_token or client_credentials, not \"Refresh_Token\" "
            + "(implicit and password are not offered: RFC 9700 §2.1.2, §2.4)"),
        problems("{\"clientId\": \"app\", " + SECRET + ", " + REDIRECT
            + ", \"grantTypes\": [\"authorization_code\", \"password\", \"implicit\", \"Refresh_Token\"]}"));
  }

  @Test
  void duplicateGrantTypeIsRefused() {
    assertEquals(List.of("clients[0].grantTypes[2]: \"authorization_code\" is listed twice"),
        problems("{\"clientId\": \"app\", " + REDIRECT
            + ", \"grantTypes\": [\"authorization_code\", \"refresh_token\", \"authorization_code\"]}"));
  }

  @Test
  void emptyGrantTypesIsRefused() {
    assertEquals(List.of("clients[0].grantTypes: must name at least one grant type"),
        problems("{\"clientId\": \"app\", " + REDIRECT + ", \"grantTypes\": []}"));
  }

  @Test
  void grantTypesMustBeAListOfStrings() {
    assertEquals(List.of("clients[0].grantTypes: must be a list"),
        problems("{\"clientId\": \"app\", " + REDIRECT + ", \"grantTypes\": \"authorization_code\"}"));
    assertEquals(List.of("clients[0].grantTypes[1]: must be a string"),
        problems("{\"clientId\": \"app\", " + REDIRECT + ", \"grantTypes\": [\"authorization_code\", 1]}"));
  }

  @Test
  void clientCredentialsOnAPublicClientIsRefused() {
    assertEquals(List.of(
        "clients[0].grantTypes[1]: client_credentials needs a clientSecret (RFC 6749 §4.4: confidential clients only)"),
        problems("{\"clientId\": \"spa\", " + REDIRECT
            + ", \"grantTypes\": [\"authorization_code\", \"client_credentials\"]}"));
    assertEquals(List.of(
        "clients[0].grantTypes[0]: client_credentials needs a clientSecret (RFC 6749 §4.4: confidential clients only)"),
        problems("{\"clientId\": \"spa\", \"grantTypes\": [\"client_credentials\"]}"));
  }

  @Test
  void publicClientMayRefresh() throws ConfigException {
    ClientRegistration client = client("{\"clientId\": \"spa\", " + REDIRECT
        + ", \"grantTypes\": [\"authorization_code\", \"refresh_token\"]}");
    assertTrue(client.isPublic());
    assertTrue(client.mayUse("refresh_token"));
  }

  @Test
  void refreshTokenWithoutAuthorizationCodeIsRefused() {
    String message = "clients[0].grantTypes: refresh_token needs authorization_code: refresh tokens are "
        + "issued with the tokens of that grant";
    assertEquals(List.of(message), problems("{\"clientId\": \"app\", " + SECRET + ", " + REDIRECT
        + ", \"grantTypes\": [\"refresh_token\"]}"));
    assertEquals(List.of(message), problems("{\"clientId\": \"app\", " + SECRET
        + ", \"grantTypes\": [\"client_credentials\", \"refresh_token\"]}"));
  }

  // ---- redirectUris ----

  @Test
  void clientCredentialsOnlyClientNeedsNoRedirectUri() throws ConfigException {
    ClientRegistration client = client("{\"clientId\": \"machine\", " + SECRET
        + ", \"scopes\": [\"read\"], \"grantTypes\": [\"client_credentials\"]}");
    assertEquals(List.of(), client.redirectUris());
    assertEquals(Set.of("client_credentials"), client.grantTypes());
  }

  @Test
  void clientCredentialsOnlyClientMayStillListRedirectUris() throws ConfigException {
    ClientRegistration client = client("{\"clientId\": \"machine\", " + SECRET + ", " + REDIRECT
        + ", \"grantTypes\": [\"client_credentials\"]}");
    assertEquals(List.of("https://app.example/cb"), client.redirectUris());
  }

  @Test
  void clientCredentialsOnlyClientMayListNoRedirectUrisExplicitly() throws ConfigException {
    ClientRegistration client = client("{\"clientId\": \"machine\", " + SECRET
        + ", \"redirectUris\": [], \"grantTypes\": [\"client_credentials\"]}");
    assertEquals(List.of(), client.redirectUris());
  }

  @Test
  void redirectUrisAreRequiredWithTheAuthorizationCodeGrant() {
    assertEquals(List.of("clients[0].redirectUris: is required"), problems("{\"clientId\": \"app\", " + SECRET
        + ", \"grantTypes\": [\"client_credentials\", \"authorization_code\"]}"));
    assertEquals(List.of("clients[0].redirectUris: is required"), problems("{\"clientId\": \"app\"}"),
        "the default grant type needs one too");
  }

  // ---- refreshTokenTtlSeconds ----

  @Test
  void refreshTokenTtlDefaultsToADayAndClientsInheritTheGlobalOne() throws ConfigException {
    PortcullisConfig defaults = load("{\"clients\": [{\"clientId\": \"app\", " + REDIRECT + "}]}");
    assertEquals(Duration.ofDays(1), defaults.refreshTokenTtl());
    assertEquals(Duration.ofDays(1), defaults.client("app").orElseThrow().refreshTokenTtl());

    PortcullisConfig global = load("{\"refreshTokenTtlSeconds\": 7200, \"clients\": ["
        + "{\"clientId\": \"a\", " + REDIRECT + "},"
        + "{\"clientId\": \"b\", " + REDIRECT + ", \"refreshTokenTtlSeconds\": 600}]}");
    assertEquals(Duration.ofSeconds(7200), global.refreshTokenTtl());
    assertEquals(Duration.ofSeconds(7200), global.client("a").orElseThrow().refreshTokenTtl());
    assertEquals(Duration.ofSeconds(600), global.client("b").orElseThrow().refreshTokenTtl());
  }

  @Test
  void refreshTokenTtlOutOfRangeIsRefused() {
    assertEquals(List.of(
        "refreshTokenTtlSeconds: must be between 60 and 31536000, not 59",
        "clients[0].refreshTokenTtlSeconds: must be between 60 and 31536000, not 31536001",
        "clients[1].refreshTokenTtlSeconds: must be between 60 and 31536000, not 0"),
        problems("""
            {
              "refreshTokenTtlSeconds": 59,
              "clients": [
                {"clientId": "a", "redirectUris": ["https://a.example/cb"], "refreshTokenTtlSeconds": 31536001},
                {"clientId": "b", "redirectUris": ["https://b.example/cb"], "refreshTokenTtlSeconds": 0}
              ]
            }
            """));
    assertEquals(List.of("refreshTokenTtlSeconds: must be between 60 and 31536000, not 31536001"),
        problems("{\"refreshTokenTtlSeconds\": 31536001, \"clients\": [{\"clientId\": \"a\", " + REDIRECT + "}]}"));
    assertEquals(List.of("clients[0].refreshTokenTtlSeconds: must be between 60 and 31536000, not 59"),
        problems("{\"clients\": [{\"clientId\": \"a\", " + REDIRECT + ", \"refreshTokenTtlSeconds\": 59}]}"));
  }

  @Test
  void refreshTokenTtlBoundsAreInclusive() throws ConfigException {
    PortcullisConfig low = load("{\"refreshTokenTtlSeconds\": 60, \"clients\": [{\"clientId\": \"a\", " + REDIRECT
        + ", \"refreshTokenTtlSeconds\": 31536000}]}");
    assertEquals(Duration.ofSeconds(60), low.refreshTokenTtl());
    assertEquals(Duration.ofSeconds(31_536_000), low.client("a").orElseThrow().refreshTokenTtl());

    PortcullisConfig high = load("{\"refreshTokenTtlSeconds\": 31536000, \"clients\": [{\"clientId\": \"a\", "
        + REDIRECT + ", \"refreshTokenTtlSeconds\": 60}]}");
    assertEquals(Duration.ofSeconds(31_536_000), high.refreshTokenTtl());
    assertEquals(Duration.ofSeconds(60), high.client("a").orElseThrow().refreshTokenTtl());
  }

  @Test
  void refreshTokenTtlMustBeAWholeNumber() {
    assertEquals(List.of("refreshTokenTtlSeconds: must be a whole number",
            "clients[0].refreshTokenTtlSeconds: must be a whole number"),
        problems("{\"refreshTokenTtlSeconds\": \"3600\", \"clients\": [{\"clientId\": \"a\", " + REDIRECT
            + ", \"refreshTokenTtlSeconds\": 60.5}]}"));
  }

  // ---- resourceServer ----

  @Test
  void resourceServerDefaultsToFalse() throws ConfigException {
    assertFalse(client("{\"clientId\": \"app\", " + SECRET + ", " + REDIRECT + "}").resourceServer());
  }

  @Test
  void resourceServerWithASecretIsAccepted() throws ConfigException {
    ClientRegistration client = client("{\"clientId\": \"rs\", " + SECRET
        + ", \"grantTypes\": [\"client_credentials\"], \"resourceServer\": true}");
    assertTrue(client.resourceServer());
  }

  @Test
  void resourceServerNeedsASecret() {
    assertEquals(List.of("clients[0].resourceServer: needs a clientSecret: introspection is for confidential clients"),
        problems("{\"clientId\": \"spa\", " + REDIRECT + ", \"resourceServer\": true}"));
  }

  @Test
  void resourceServerFalseNeedsNoSecret() throws ConfigException {
    assertFalse(client("{\"clientId\": \"spa\", " + REDIRECT + ", \"resourceServer\": false}").resourceServer());
  }

  @Test
  void resourceServerMustBeABoolean() {
    assertEquals(List.of("clients[0].resourceServer: must be true or false"),
        problems("{\"clientId\": \"rs\", " + SECRET + ", " + REDIRECT + ", \"resourceServer\": \"yes\"}"));
  }

  // ---- longestTokenLifetime ----

  @Test
  void longestTokenLifetimeIsTheGlobalRefreshTtlByDefault() throws ConfigException {
    assertEquals(Duration.ofDays(1),
        load("{\"clients\": [{\"clientId\": \"a\", " + REDIRECT + "}]}").longestTokenLifetime());
  }

  @Test
  void longestTokenLifetimeMayBeTheGlobalAccessTtl() throws ConfigException {
    assertEquals(Duration.ofSeconds(2_678_400), load("{\"accessTokenTtlSeconds\": 2678400, "
        + "\"refreshTokenTtlSeconds\": 7200, \"clients\": [{\"clientId\": \"a\", " + REDIRECT + "}]}")
        .longestTokenLifetime());
  }

  @Test
  void longestTokenLifetimeMayBeAClientsAccessTtl() throws ConfigException {
    assertEquals(Duration.ofSeconds(100_000), load("{\"accessTokenTtlSeconds\": 600, \"refreshTokenTtlSeconds\": 7200, "
        + "\"clients\": [{\"clientId\": \"a\", " + REDIRECT + "},"
        + "{\"clientId\": \"b\", " + REDIRECT + ", \"accessTokenTtlSeconds\": 100000}]}").longestTokenLifetime());
  }

  @Test
  void longestTokenLifetimeMayBeAClientsRefreshTtl() throws ConfigException {
    assertEquals(Duration.ofDays(365), load("{\"accessTokenTtlSeconds\": 600, \"refreshTokenTtlSeconds\": 7200, "
        + "\"clients\": [{\"clientId\": \"a\", " + REDIRECT + ", \"refreshTokenTtlSeconds\": 31536000},"
        + "{\"clientId\": \"b\", " + REDIRECT + ", \"accessTokenTtlSeconds\": 100000}]}").longestTokenLifetime());
  }

  @Test
  void longestTokenLifetimeIsTheGlobalOneWhenEveryClientIsShorter() throws ConfigException {
    assertEquals(Duration.ofSeconds(7200), load("{\"accessTokenTtlSeconds\": 600, \"refreshTokenTtlSeconds\": 7200, "
        + "\"clients\": [{\"clientId\": \"a\", " + REDIRECT + ", \"refreshTokenTtlSeconds\": 60, "
        + "\"accessTokenTtlSeconds\": 60}]}").longestTokenLifetime());
  }

  // ---- helpers ----

  private static PortcullisConfig load(String json) throws ConfigException {
    return ConfigLoader.load("test", JsonParser.parseString(json));
  }

  /** The single client of a config holding only {@code clientJson}. */
  private static ClientRegistration client(String clientJson) throws ConfigException {
    PortcullisConfig config = load("{\"clients\": [" + clientJson + "]}");
    assertEquals(1, config.clients().size());
    return config.clients().values().iterator().next();
  }

  private static List<String> problems(String json) {
    String config = json.trim().startsWith("{\"clientId\"") ? "{\"clients\": [" + json + "]}" : json;
    return assertThrows(ConfigException.class, () -> load(config)).problems();
  }
}
