package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.portcullis.testing.Secrets;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  static final String TOP_KEYS = "issuer, realm, enforcePkce, pkceMethods, authorizationCodeTtlSeconds, "
      + "accessTokenTtlSeconds, refreshTokenTtlSeconds, authorizationRequestTtlSeconds, userSource, approverRole, "
      + "users, scopeDescriptions, clients, routes, store, throttling, requireHttps, trustedProxies, forwardedHeader, "
      + "requestBodyTimeoutSeconds, maxLiveTokensPerClient, maxGrantLifetimeSeconds, operations";
  static final String CLIENT_KEYS =
      "clientId, clientSecret, name, redirectUris, scopes, enforcePkce, accessTokenTtlSeconds, grantTypes, "
          + "refreshTokenTtlSeconds, resourceServer, maxLiveTokens";
  static final String SEED_CLIENT = "374b1fae-4405-411b-85a0-6e1ab90923ba";

  @TempDir Path dir;

  // ---- the shipped config ----

  @Test
  void shippedConfigLoadsWithItsValues() throws Exception {
    Path file = dir.resolve("portcullis.json");
    Files.copy(Path.of("conf/portcullis.json"), file);

    PortcullisConfig config = ConfigLoader.load(file);

    assertEquals(file.toAbsolutePath().toString(), config.source());
    assertEquals(Optional.of(URI.create("http://localhost:8080")), config.issuer());
    assertEquals("portcullis", config.realm());
    assertTrue(config.enforcePkce());
    assertEquals(Set.of("S256"), config.pkceMethods());
    assertEquals(Duration.ofSeconds(600), config.authorizationCodeTtl());
    assertEquals(Duration.ofSeconds(3600), config.accessTokenTtl());
    assertEquals(Duration.ofSeconds(600), config.authorizationRequestTtl());
    assertEquals(StoreSettings.defaults(), config.store());

    assertEquals(Set.of("Administrator"), config.users().keySet());
    assertTrue(config.user("Administrator").orElseThrow().password().matches("manage"));

    ClientRegistration client = config.client(SEED_CLIENT).orElseThrow();
    assertEquals("Test application", client.name());
    assertEquals(List.of("http://test.com"), client.redirectUris());
    assertEquals(Set.of("email"), client.scopes());
    assertTrue(client.pkceRequired());
    assertFalse(client.isPublic());
    assertTrue(client.secret().matches("change-me"));
    assertEquals(Duration.ofSeconds(3600), client.accessTokenTtl());

    assertEquals(List.of(new RouteRule("/health", true, Set.of()), new RouteRule("/api/*", false, Set.of("email"))),
        config.routes());
    assertEquals(List.of(
        "users[0].password: is stored in plain text ({noop}); store a hash instead",
        "clients[0].clientSecret: is stored in plain text ({noop}); store a hash instead"), config.warnings());
  }

  @Test
  void defaultsApplyWhenOptionalKeysAreAbsent() throws Exception {
    PortcullisConfig config = load("""
        {"clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
        """);
    assertEquals(Optional.empty(), config.issuer());
    assertEquals("portcullis", config.realm());
    assertTrue(config.enforcePkce(), "PKCE is enforced unless switched off");
    assertEquals(Set.of("S256"), config.pkceMethods());
    assertEquals(Duration.ofSeconds(600), config.authorizationCodeTtl());
    assertEquals(Duration.ofSeconds(3600), config.accessTokenTtl());
    assertEquals(List.of(), config.routes());
    ClientRegistration client = config.client("app").orElseThrow();
    assertEquals("app", client.name(), "the name defaults to the client id");
    assertEquals(Set.of(), client.scopes());
    assertEquals(Duration.ofSeconds(3600), client.accessTokenTtl(), "the client inherits the global TTL");
    assertTrue(config.warnings().contains(
        "users: no users are configured, so no authorization request can be approved"), config.warnings().toString());
    assertTrue(config.warnings().contains("issuer: is not set, so metadata and iss name whatever host each "
        + "request's Host header claims; set issuer to this deployment's public URL in production"),
        config.warnings().toString());
  }

  @Test
  void loadFromJsonElementNamesTheGivenSource() throws Exception {
    PortcullisConfig config = ConfigLoader.load("inline", JsonParser.parseString(
        "{\"clients\": [{\"clientId\": \"app\", \"redirectUris\": [\"https://app.example/cb\"]}]}"));
    assertEquals("inline", config.source());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load("inline", JsonParser.parseString("{}")));
    assertEquals("inline", e.source());
    assertEquals(List.of("clients: is required"), e.problems());
    assertEquals("invalid Portcullis configuration inline: clients: is required", e.getMessage());
  }

  // ---- routes ----

  @Test
  void routesAreSortedLongestFirstWithExactBeforePrefix() throws Exception {
    PortcullisConfig config = load("""
        {
          "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"], "scopes": ["read", "admin"]}],
          "routes": [
            {"path": "/*"},
            {"path": "/api/*", "scopes": ["read"]},
            {"path": "/health", "public": true},
            {"path": "/api/admin/*", "scopes": ["admin"]},
            {"path": "/api", "public": true}
          ]
        }
        """);
    assertEquals(List.of("/api/admin/*", "/health", "/api", "/api/*", "/*"),
        config.routes().stream().map(RouteRule::path).toList());

    assertEquals("/api/admin/*", config.routeFor("/api/admin/users").orElseThrow().path());
    assertEquals("/api/admin/*", config.routeFor("/api/admin").orElseThrow().path());
    assertEquals("/api/*", config.routeFor("/api/administrator").orElseThrow().path());
    assertEquals("/api", config.routeFor("/api").orElseThrow().path());
    assertEquals("/api/*", config.routeFor("/api/").orElseThrow().path());
    assertEquals("/*", config.routeFor("/apix").orElseThrow().path());
    assertEquals("/health", config.routeFor("/health").orElseThrow().path());
    assertEquals("/*", config.routeFor("/health/deep").orElseThrow().path());
  }

  @Test
  void routePathProblemsAreReported() {
    List<String> problems = problems("""
        {
          "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"], "scopes": ["email"]}],
          "routes": [
            {"path": "/api/*/x"},
            {"path": "api"},
            {"path": "/api/*"},
            {"path": "/api/*"},
            {"path": "/a//b"},
            {"path": "/a/../b"},
            {"path": "/a?x=1"},
            {"path": "/a*"},
            {"public": true}
          ]
        }
        """);
    assertEquals(List.of(
        "routes[0].path: \"*\" is allowed only as a trailing \"/*\"",
        "routes[1].path: must start with \"/\"",
        "routes[3].path: \"/api/*\" is listed twice",
        "routes[4].path: must be a normalized path (no empty, \".\" or \"..\" segments)",
        "routes[5].path: must be a normalized path (no empty, \".\" or \"..\" segments)",
        "routes[6].path: must be a printable ASCII path without query or fragment",
        "routes[7].path: \"*\" is allowed only as a trailing \"/*\"",
        "routes[8].path: is required"), problems);
  }

  @Test
  void publicRouteWithScopesIsRefused() {
    assertEquals(List.of("routes[0]: a public route cannot also require scopes"), problems("""
        {
          "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"], "scopes": ["email"]}],
          "routes": [{"path": "/health", "public": true, "scopes": ["email"]}]
        }
        """));
  }

  @Test
  void routeScopeNoClientMayHaveIsAWarning() throws Exception {
    PortcullisConfig config = load("""
        {
          "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"], "scopes": ["email"]}],
          "routes": [{"path": "/admin/*", "scopes": ["admin"]}]
        }
        """);
    assertTrue(config.warnings().contains(
        "routes[0].scopes[0]: no client may ask for scope \"admin\", so this route admits nobody"),
        config.warnings().toString());
  }

  // ---- PKCE resolution ----

  @Test
  void globalPkceAppliesToEveryClient() throws Exception {
    PortcullisConfig config = load("""
        {
          "enforcePkce": true,
          "clients": [
            {"clientId": "a", "clientSecret": "{noop}s", "redirectUris": ["https://a.example/cb"]},
            {"clientId": "b", "clientSecret": "{noop}s", "redirectUris": ["https://b.example/cb"], "enforcePkce": false},
            {"clientId": "c", "clientSecret": "{noop}s", "redirectUris": ["https://c.example/cb"], "enforcePkce": true}
          ]
        }
        """);
    assertTrue(config.client("a").orElseThrow().pkceRequired());
    assertTrue(config.client("b").orElseThrow().pkceRequired(), "a client cannot opt out of the global rule");
    assertTrue(config.client("c").orElseThrow().pkceRequired());
  }

  @Test
  void withoutGlobalPkceAClientCanOptIn() throws Exception {
    PortcullisConfig config = load("""
        {
          "enforcePkce": false,
          "clients": [
            {"clientId": "a", "clientSecret": "{noop}s", "redirectUris": ["https://a.example/cb"]},
            {"clientId": "b", "clientSecret": "{noop}s", "redirectUris": ["https://b.example/cb"], "enforcePkce": false},
            {"clientId": "c", "clientSecret": "{noop}s", "redirectUris": ["https://c.example/cb"], "enforcePkce": true}
          ]
        }
        """);
    assertFalse(config.enforcePkce());
    assertFalse(config.client("a").orElseThrow().pkceRequired());
    assertFalse(config.client("b").orElseThrow().pkceRequired());
    assertTrue(config.client("c").orElseThrow().pkceRequired());
    assertTrue(config.warnings().contains(
        "clients[0]: PKCE is not enforced for client \"a\" (RFC 9700 §2.1.1 says enforce it)"));
    assertTrue(config.warnings().contains(
        "clients[1]: PKCE is not enforced for client \"b\" (RFC 9700 §2.1.1 says enforce it)"));
    assertFalse(config.warnings().stream().anyMatch(w -> w.startsWith("clients[2]: PKCE is not enforced")),
        config.warnings().toString());
  }

  @Test
  void publicClientAlwaysRequiresPkce() throws Exception {
    PortcullisConfig config = load("""
        {
          "enforcePkce": false,
          "clients": [{"clientId": "spa", "redirectUris": ["https://spa.example/cb"]}]
        }
        """);
    ClientRegistration spa = config.client("spa").orElseThrow();
    assertTrue(spa.isPublic());
    assertTrue(spa.pkceRequired());
  }

  @Test
  void publicClientCannotSwitchPkceOff() {
    assertEquals(List.of("clients[0].enforcePkce: cannot be false for a public client (no clientSecret): "
            + "PKCE is how it proves itself"),
        problems("""
            {"clients": [{"clientId": "spa", "redirectUris": ["https://spa.example/cb"], "enforcePkce": false}]}
            """));
  }

  @Test
  void pkceMethodsMayOptIntoPlain() throws Exception {
    PortcullisConfig config = load("""
        {"pkceMethods": ["S256", "plain"], "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
        """);
    assertEquals(Set.of("S256", "plain"), config.pkceMethods());
    assertTrue(config.warnings().contains("pkceMethods: \"plain\" is enabled; RFC 9700 §2.1.1 says use S256 only"));
  }

  @Test
  void pkceMethodsWithoutS256IsRefused() {
    assertEquals(List.of("pkceMethods: must contain \"S256\" (RFC 7636 §4.2: servers must support it)"),
        problems("""
            {"pkceMethods": ["plain"], "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
            """));
    assertEquals(List.of(
            "pkceMethods[1]: must be \"S256\" or \"plain\", not \"S512\"",
            "pkceMethods[2]: \"S256\" is listed twice"),
        problems("""
            {"pkceMethods": ["S256", "S512", "S256"], "clients": [{"clientId": "app", "redirectUris": ["https://a.example/cb"]}]}
            """));
    assertEquals(List.of("pkceMethods: must contain \"S256\" (RFC 7636 §4.2: servers must support it)"),
        problems("""
            {"pkceMethods": [], "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
            """));
  }

  // ---- unknown keys ----

  @Test
  void unknownTopLevelKeyIsAnError() {
    assertEquals(List.of("enforcePKCE: unknown key (known keys: " + TOP_KEYS + ")"), problems("""
        {"enforcePKCE": true, "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
        """));
  }

  @Test
  void unknownNestedKeysAreErrorsWithTheirPath() {
    assertEquals(List.of(
        "users[0].passwd: unknown key (known keys: username, password)",
        "users[0].password: is required",
        "clients[0].enforcePKCE: unknown key (known keys: " + CLIENT_KEYS + ")",
        "routes[0].scope: unknown key (known keys: path, public, scopes)",
        "store.maxTokens: unknown key (known keys: type, maxPendingAuthorizations, maxAuthorizationCodes, maxAccessTokens, snapshotFile)"),
        problems("""
            {
              "users": [{"username": "alice", "passwd": "{noop}x"}],
              "clients": [{"clientId": "app", "clientSecret": "{noop}s", "redirectUris": ["https://app.example/cb"],
                           "enforcePKCE": true}],
              "routes": [{"path": "/api/*", "scope": ["email"]}],
              "store": {"maxTokens": 5}
            }
            """).stream().sorted(ConfigLoaderTest::byPathOrder).toList());
  }

  /** users, clients, routes, store: the order the loader reads them in; within an entry any order. */
  private static int byPathOrder(String a, String b) {
    List<String> order = List.of("users[0].passwd", "users[0].password", "clients", "routes", "store");
    return Integer.compare(indexOf(order, a), indexOf(order, b));
  }

  private static int indexOf(List<String> order, String problem) {
    for (int i = 0; i < order.size(); i++) {
      if (problem.startsWith(order.get(i))) {
        return i;
      }
    }
    return order.size();
  }

  // ---- file-level problems ----

  @Test
  void duplicateJsonKeyIsRefused() {
    assertEquals(List.of("not valid JSON: $.clients[0].clientId: the key appears more than once"), problems("""
        {"clients": [{"clientId": "app", "clientId": "other", "redirectUris": ["https://app.example/cb"]}]}
        """));
  }

  @Test
  void malformedJsonIsRefused() {
    List<String> problems = problems("{\"clients\": [}");
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("not valid JSON: "), problems.get(0));

    List<String> comment = problems("{\"clients\": [] /* no clients */}");
    assertEquals(1, comment.size());
    assertTrue(comment.get(0).startsWith("not valid JSON: "), comment.get(0));
  }

  @Test
  void emptyFileIsRefused() {
    assertEquals(List.of("not valid JSON: the JSON document ends too early at line 1 column 1"), problems(""));
  }

  @Test
  void missingFileIsRefusedWithItsName() {
    Path missing = dir.resolve("nope.json");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
    assertEquals(List.of("cannot be read: no such file"), e.problems());
    assertEquals(missing.toAbsolutePath().toString(), e.source());
    assertEquals("invalid Portcullis configuration " + missing.toAbsolutePath() + ": cannot be read: no such file",
        e.getMessage());
  }

  @Test
  void nonObjectRootIsRefused() {
    assertEquals(List.of("$: the config must be a JSON object"), problems("[]"));
    assertEquals(List.of("$: the config must be a JSON object"), problems("\"config\""));
  }

  @Test
  void fileThatIsNotUtf8IsRefused() throws IOException {
    Path file = dir.resolve("latin1.json");
    Files.write(file, "{\"clients\": [], \"realm\": \"Gr\u00fc\u00dfe\"}".getBytes(StandardCharsets.ISO_8859_1));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertEquals(List.of("not UTF-8 text"), e.problems());
  }

  @Test
  void issuerIsKeptWithoutATrailingSlash() throws Exception {
    assertEquals("https://gw.example.com/gateway",
        load("{\"clients\": [], \"issuer\": \"https://gw.example.com/gateway/\"}").issuer().orElseThrow().toString());
  }

  @Test
  void byteOrderMarkIsIgnored() throws Exception {
    PortcullisConfig config = load("\uFEFF{\"clients\": [], \"realm\": \"bom\"}");
    assertEquals("bom", config.realm());
  }

  @Test
  void nullPkceMethodsMeansTheDefault() throws Exception {
    assertEquals(Set.of("S256"), load("{\"clients\": [], \"pkceMethods\": null}").pkceMethods());
  }

  @Test
  void routeScopesKeepTheirConfigOrder() throws Exception {
    PortcullisConfig config = load("{\"clients\": [], \"routes\": [{\"path\": \"/a/*\", "
        + "\"scopes\": [\"zeta\", \"alpha\", \"mid\", \"beta\"]}]}");
    assertEquals(List.of("zeta", "alpha", "mid", "beta"), List.copyOf(config.routes().get(0).scopes()));
  }

  @Test
  void containerUsersNeedAnApproverRoleAndNoConfigUsers() throws Exception {
    PortcullisConfig config = load("{\"clients\": [], \"userSource\": \"container\", "
        + "\"approverRole\": \"portcullis-approver\"}");
    assertTrue(config.usesContainerUsers());
    assertEquals("portcullis-approver", config.approverRole());
    assertEquals(Map.of(), config.users());

    assertEquals(List.of("approverRole: is required with \"userSource\": \"container\": the role a container "
        + "user needs to approve requests"), problems("{\"clients\": [], \"userSource\": \"container\"}"));
    assertEquals(List.of("users: must be absent with \"userSource\": \"container\"; the container's realm checks "
        + "the credentials"), problems("{\"clients\": [], \"userSource\": \"container\", \"approverRole\": \"r\", "
        + "\"users\": []}"));
    assertEquals(List.of("approverRole: applies only with \"userSource\": \"container\""),
        problems("{\"clients\": [], \"approverRole\": \"r\"}"));
    assertEquals(List.of("userSource: must be \"config\" or \"container\", not \"ldap\""),
        problems("{\"clients\": [], \"userSource\": \"ldap\"}"));
  }

  @Test
  void configUsersAreTheDefault() throws Exception {
    PortcullisConfig config = load("{\"clients\": [], \"users\": [{\"username\": \"a\", \"password\": \"{noop}b\"}]}");
    assertFalse(config.usesContainerUsers());
    assertEquals(PortcullisConfig.USERS_FROM_CONFIG, config.userSource());
  }

  @Test
  void scopeDescriptionsAreReadAndChecked() throws Exception {
    PortcullisConfig config = load("{\"clients\": [], \"scopeDescriptions\": {\"email\": \"See your email address\"}}");
    assertEquals(java.util.Optional.of("See your email address"), config.describe("email"));
    assertEquals(java.util.Optional.empty(), config.describe("profile"));
    assertEquals(List.of("scopeDescriptions.a b: \"a b\" is not a scope token",
            "scopeDescriptions.email: must be a non-empty sentence without control characters"),
        problems("{\"clients\": [], \"scopeDescriptions\": {\"a b\": \"x\", \"email\": \"\"}}"));
  }

  // ---- users and clients ----

  @Test
  void firstProblemPathNamesTheClientIndex() {
    assertEquals(List.of("clients[1].redirectUris[0]: not an absolute URI"), problems("""
        {
          "clients": [
            {"clientId": "a", "redirectUris": ["https://a.example/cb"]},
            {"clientId": "b", "redirectUris": ["/callback"]}
          ]
        }
        """));
  }

  @Test
  void redirectUriProblemsAreReported() {
    // A non-string element is found while the list is read, before the URIs are examined.
    assertEquals(List.of(
        "clients[0].redirectUris[6]: must be a string",
        "clients[0].redirectUris[0]: must not contain a fragment (RFC 6749 §3.1.2)",
        "clients[0].redirectUris[1]: an http(s) redirect URI needs a host",
        "clients[0].redirectUris[2]: must be printable ASCII; percent-encode anything else",
        "clients[0].redirectUris[4]: is listed twice",
        "clients[0].redirectUris[5]: not a valid URI: Illegal character in path",
        "clients[1].redirectUris: needs at least one redirect URI",
        "clients[2].redirectUris: is required"),
        problems("""
            {
              "clients": [
                {"clientId": "a", "redirectUris": ["https://a.example/cb#x", "https:///cb", "https://a.example/\u00fc",
                                                   "https://a.example/ok", "https://a.example/ok", "https://a.example/a b", 7]},
                {"clientId": "b", "redirectUris": []},
                {"clientId": "c"}
              ]
            }
            """));
  }

  @Test
  void nativeAppRedirectUriIsAccepted() throws Exception {
    PortcullisConfig config = load("""
        {"clients": [{"clientId": "app", "redirectUris": ["com.example.app:/oauth2redirect", "http://127.0.0.1:8123/cb"]}]}
        """);
    assertEquals(List.of("com.example.app:/oauth2redirect", "http://127.0.0.1:8123/cb"),
        config.client("app").orElseThrow().redirectUris());
  }

  @Test
  void duplicateClientIdIsRefused() {
    assertEquals(List.of("clients[1].clientId: \"app\" is defined twice"), problems("""
        {
          "clients": [
            {"clientId": "app", "redirectUris": ["https://a.example/cb"]},
            {"clientId": "app", "redirectUris": ["https://b.example/cb"]}
          ]
        }
        """));
  }

  @Test
  void clientIdMustBeVisibleAscii() {
    assertEquals(List.of(
        "clients[0].clientId: must be non-empty printable ASCII without spaces (RFC 6749 VSCHAR less the space, so that it compares as sent)",
        "clients[1].clientId: must be non-empty printable ASCII without spaces (RFC 6749 VSCHAR less the space, so that it compares as sent)",
        "clients[2].clientId: is required",
        "clients[3].clientId: must be a string"),
        problems("""
            {
              "clients": [
                {"clientId": "", "redirectUris": ["https://a.example/cb"]},
                {"clientId": "caf\u00e9", "redirectUris": ["https://a.example/cb"]},
                {"redirectUris": ["https://a.example/cb"]},
                {"clientId": 42, "redirectUris": ["https://a.example/cb"]}
              ]
            }
            """));
  }

  @Test
  void duplicateUsernameIsRefused() {
    assertEquals(List.of("users[1].username: \"alice\" is defined twice"), problems("""
        {
          "users": [{"username": "alice", "password": "{noop}a"}, {"username": "alice", "password": "{noop}b"}],
          "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]
        }
        """));
  }

  @Test
  void badSecretSchemesAreRefused() {
    assertEquals(List.of(
        "users[0].password: must start with a scheme: {noop}, {pbkdf2-sha256} or {sha256}",
        "users[1].password: {pbkdf2-sha256} needs at least 10000 iterations",
        "clients[0].clientSecret: unknown scheme {md5}; use {noop}, {pbkdf2-sha256} or {sha256}",
        "clients[1].clientSecret: {noop} secret is empty"),
        problems("""
            {
              "users": [
                {"username": "alice", "password": "manage"},
                {"username": "bob", "password": "{pbkdf2-sha256}1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
              ],
              "clients": [
                {"clientId": "a", "clientSecret": "{md5}abc", "redirectUris": ["https://a.example/cb"]},
                {"clientId": "b", "clientSecret": "{noop}", "redirectUris": ["https://b.example/cb"]}
              ]
            }
            """));
  }

  @Test
  void clientSecretsHashedInDifferentWaysAreWarnedAbout() throws Exception {
    String sha = StoredSecret.hash(StoredSecret.SHA256, "a-long-random-secret");
    String warning = "clients: client secrets are hashed in different ways (noop, sha256), so response times can "
        + "tell which client ids exist; hash them all with {sha256}";
    PortcullisConfig mixed = load("""
        {"clients": [{"clientId": "a", "clientSecret": "%s", "redirectUris": ["https://a.example/cb"]},
                     {"clientId": "b", "clientSecret": "{noop}plain", "redirectUris": ["https://b.example/cb"]},
                     {"clientId": "c", "redirectUris": ["https://c.example/cb"]}]}
        """.formatted(sha));
    assertTrue(mixed.warnings().contains(warning), mixed.warnings().toString());
    PortcullisConfig same = load("""
        {"clients": [{"clientId": "a", "clientSecret": "%s", "redirectUris": ["https://a.example/cb"]},
                     {"clientId": "b", "clientSecret": "%s", "redirectUris": ["https://b.example/cb"]},
                     {"clientId": "c", "redirectUris": ["https://c.example/cb"]}]}
        """.formatted(sha, StoredSecret.hash(StoredSecret.SHA256, "another-secret")));
    assertTrue(same.warnings().stream().noneMatch(w -> w.contains("hashed in different ways")),
        same.warnings().toString());
  }

  @Test
  void sha256IsRefusedForUserPasswords() {
    String sha = StoredSecret.hash(StoredSecret.SHA256, "manage");
    assertEquals(List.of("users[0].password: {sha256} is too fast for passwords people choose; "
            + "use {pbkdf2-sha256} (the hash-secret command makes one)"),
        problems("""
            {"users": [{"username": "alice", "password": "%s"}],
             "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
            """.formatted(sha)));
  }

  @Test
  void hashedSecretsAreAcceptedWithoutWarnings() throws Exception {
    String userHash = Secrets.pbkdf2("manage");
    String clientHash = StoredSecret.hash(StoredSecret.SHA256, "client-secret-0123456789abcdef");
    PortcullisConfig config = load("""
        {
          "issuer": "https://gateway.example",
          "users": [{"username": "alice", "password": "%s"}],
          "clients": [{"clientId": "app", "clientSecret": "%s", "redirectUris": ["https://app.example/cb"]}]
        }
        """.formatted(userHash, clientHash));
    assertTrue(config.user("alice").orElseThrow().password().matches("manage"));
    assertTrue(config.client("app").orElseThrow().secret().matches("client-secret-0123456789abcdef"));
    assertEquals(List.of(), config.warnings());
  }

  @Test
  void plainTextSecretsAreWarnedAbout() throws Exception {
    PortcullisConfig config = load("""
        {
          "users": [{"username": "alice", "password": "{noop}manage"}],
          "clients": [{"clientId": "app", "clientSecret": "{noop}s3cret", "redirectUris": ["https://app.example/cb"]}]
        }
        """);
    assertTrue(config.warnings().contains("users[0].password: is stored in plain text ({noop}); store a hash instead"));
    assertTrue(config.warnings().contains(
        "clients[0].clientSecret: is stored in plain text ({noop}); store a hash instead"));
    assertFalse(String.join("\n", config.warnings()).contains("s3cret"), "warnings never show the secret");
    assertFalse(String.join("\n", config.warnings()).contains("manage"), "warnings never show the password");
  }

  @Test
  void scopeProblemsAreReported() {
    assertEquals(List.of(
        "clients[0].scopes[0]: \"read write\" is not a scope token (RFC 6749 §3.3: printable ASCII, no space, quote or backslash)",
        "clients[0].scopes[2]: \"email\" is listed twice",
        "clients[0].scopes[3]: \"a\"b\" is not a scope token (RFC 6749 §3.3: printable ASCII, no space, quote or backslash)"),
        problems("""
            {"clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"],
                          "scopes": ["read write", "email", "email", "a\\"b"]}]}
            """));
  }

  // ---- numbers and types ----

  @Test
  void ttlsOutOfRangeAreRefused() {
    assertEquals(List.of(
        "authorizationCodeTtlSeconds: must be between 1 and 3600, not 0",
        "accessTokenTtlSeconds: must be between 1 and 2678400, not 2678401",
        "authorizationRequestTtlSeconds: must be between 10 and 3600, not 9",
        "clients[0].accessTokenTtlSeconds: must be between 1 and 2678400, not -5"),
        problems("""
            {
              "authorizationCodeTtlSeconds": 0,
              "accessTokenTtlSeconds": 2678401,
              "authorizationRequestTtlSeconds": 9,
              "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"], "accessTokenTtlSeconds": -5}]
            }
            """));
    assertEquals(List.of("authorizationCodeTtlSeconds: must be between 1 and 3600, not 3601"), problems("""
        {"authorizationCodeTtlSeconds": 3601, "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
        """));
  }

  @Test
  void ttlsMustBeWholeNumbers() {
    assertEquals(List.of(
        "authorizationCodeTtlSeconds: must be a whole number",
        "accessTokenTtlSeconds: must be a whole number",
        "clients[0].accessTokenTtlSeconds: must be a whole number"),
        problems("""
            {
              "authorizationCodeTtlSeconds": 1.5,
              "accessTokenTtlSeconds": "3600",
              "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"], "accessTokenTtlSeconds": 1e30}]
            }
            """));
  }

  @Test
  void ttlBoundsAreInclusive() throws Exception {
    PortcullisConfig config = load("""
        {
          "authorizationCodeTtlSeconds": 3600,
          "accessTokenTtlSeconds": 1,
          "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"], "accessTokenTtlSeconds": 2678400}]
        }
        """);
    assertEquals(Duration.ofSeconds(3600), config.authorizationCodeTtl());
    assertEquals(Duration.ofSeconds(1), config.accessTokenTtl());
    assertEquals(Duration.ofSeconds(2678400), config.client("app").orElseThrow().accessTokenTtl());
    assertTrue(config.warnings().contains(
        "authorizationCodeTtlSeconds: RFC 6749 §4.1.2 recommends at most 600 seconds for authorization codes"));
  }

  @Test
  void wrongTypesAreReported() {
    assertEquals(List.of(
        "enforcePkce: must be true or false",
        "users: must be a list",
        "clients[0]: must be an object",
        "routes[0]: must be an object",
        "store: must be an object"),
        problems("""
            {"enforcePkce": "yes", "users": {}, "clients": [1], "routes": ["/api/*"], "store": "memory"}
            """));
  }

  @Test
  void issuerAndRealmAreChecked() {
    assertEquals(List.of(
        "issuer: must be an http(s) URL with a host and no query or fragment",
        "realm: must be non-empty printable ASCII without quotes or backslashes"),
        problems("""
            {"issuer": "https://gw.example/?tenant=1", "realm": "say \\"hi\\"",
             "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
            """));
  }

  @Test
  void plainHttpIssuerOffLoopbackIsAWarning() throws Exception {
    PortcullisConfig config = load("""
        {"issuer": "http://gateway.example", "clients": [{"clientId": "app", "redirectUris": ["https://a.example/cb"]}]}
        """);
    assertTrue(config.warnings().contains("issuer: is not https; OAuth 2.0 requires TLS outside local testing"));
  }

  @Test
  void storeSettingsAreRead() throws Exception {
    PortcullisConfig config = load("""
        {"store": {"type": "memory", "maxPendingAuthorizations": 10, "maxAuthorizationCodes": 20, "maxAccessTokens": 30},
         "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
        """);
    assertEquals(new StoreSettings("memory", 10, 20, 30), config.store());
    assertEquals(List.of("store.type: must be \"memory\" or \"redis\"",
            "store.maxAccessTokens: must be between 1 and 1000000000, not 0"),
        problems("""
            {"store": {"type": "disk", "maxAccessTokens": 0},
             "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]}
            """));
  }

  @Test
  void aRedisStoreIsReadInEachOfItsForms() throws Exception {
    PortcullisConfig standalone = load("""
        {"store": {"type": "redis", "uri": "rediss://portcullis@redis.example:6380/2", "passwordEnv": "REDIS_PASSWORD",
                   "keyPrefix": "gw1:", "connectTimeoutMillis": 300, "commandTimeoutMillis": 200, "nearCacheMillis": 1000},
         %s}
        """.formatted(ONE_CLIENT));
    RedisSettings redis = standalone.store().redis().orElseThrow();
    assertEquals("redis", standalone.store().type());
    assertEquals(java.net.URI.create("rediss://portcullis@redis.example:6380/2"), redis.uri());
    assertEquals("REDIS_PASSWORD", redis.passwordEnv());
    assertEquals("gw1:", redis.keyPrefix());
    assertEquals(Duration.ofMillis(300), redis.connectTimeout());
    assertEquals(Duration.ofMillis(200), redis.commandTimeout());
    assertEquals(Duration.ofMillis(1000), redis.nearCache());

    RedisSettings sentinel = load("""
        {"store": {"type": "redis", "sentinels": ["redis://s1:26379", "redis://s2:26379"], "masterName": "gw"}, %s}
        """.formatted(ONE_CLIENT)).store().redis().orElseThrow();
    assertTrue(sentinel.isSentinel());
    assertEquals("gw", sentinel.masterName());
    assertEquals("portcullis:", sentinel.keyPrefix());

    RedisSettings cluster = load("""
        {"store": {"type": "redis", "cluster": true, "nodes": ["redis://n1:7000", "redis://n2:7001"]}, %s}
        """.formatted(ONE_CLIENT)).store().redis().orElseThrow();
    assertTrue(cluster.isCluster());
    assertEquals(2, cluster.nodes().size());
  }

  @Test
  void aRedisStoreWithAPasswordInItsUriWarnsAndNeverLogsIt() throws Exception {
    PortcullisConfig config = load("""
        {"store": {"type": "redis", "uri": "redis://user:s3cret@redis.example:6379"}, %s}
        """.formatted(ONE_CLIENT));
    assertTrue(config.warnings().contains("store.uri: holds a password; name an environment variable in "
        + "\"passwordEnv\" instead"), config.warnings().toString());
    String described = config.store().redis().orElseThrow().describe();
    assertFalse(described.contains("s3cret"), described);
    assertEquals("Redis redis://user:****@redis.example:6379", described);
    assertFalse(config.store().redis().orElseThrow().toString().contains("s3cret"));
  }

  @Test
  void aRedisStoreWithoutExactlyOneFormOrWithBadValuesIsRefused() {
    assertEquals(List.of("store: a Redis store needs exactly one of \"uri\", \"sentinels\" (with \"masterName\") or "
            + "\"cluster\": true (with \"nodes\")"),
        problems("{\"store\": {\"type\": \"redis\"}, %s}".formatted(ONE_CLIENT)));
    assertEquals(List.of(
            "store: a Redis store needs exactly one of \"uri\", \"sentinels\" (with \"masterName\") or "
                + "\"cluster\": true (with \"nodes\")",
            "store.uri: must be a redis:// or rediss:// URI",
            "store.masterName: is required with \"sentinels\": the name of the master they watch",
            "store.passwordEnv: must be the name of an environment variable",
            "store.keyPrefix: must be printable ASCII without spaces or braces",
            "store.commandTimeoutMillis: must be between 10 and 60000, not 0",
            "store.snapshotFile: unknown key (known keys: type, uri, sentinels, masterName, cluster, nodes, passwordEnv, "
                + "keyPrefix, connectTimeoutMillis, commandTimeoutMillis, nearCacheMillis)"),
        problems("""
            {"store": {"type": "redis", "uri": "http://redis.example", "sentinels": ["redis://s:26379"],
                       "passwordEnv": "not a name", "keyPrefix": "{x}", "commandTimeoutMillis": 0,
                       "snapshotFile": "/tmp/x"}, %s}
            """.formatted(ONE_CLIENT)));
  }

  // ---- all at once ----

  @Test
  void everyProblemIsReportedAtOnce() throws IOException {
    String sha = StoredSecret.hash(StoredSecret.SHA256, "x");
    Path file = write("""
        {
          "issuer": "ftp://gateway.example",
          "enforcePkce": "yes",
          "pkceMethods": ["plain"],
          "authorizationCodeTtlSeconds": 0,
          "users": [{"username": "alice", "password": "%s"}],
          "clients": [{"clientId": "app", "redirectUris": ["/cb"], "enforcePKCE": true}],
          "routes": [{"path": "api"}],
          "extra": 1
        }
        """.formatted(sha));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    List<String> expected = List.of(
        "issuer: must be an http(s) URL with a host and no query or fragment",
        "enforcePkce: must be true or false",
        "pkceMethods: must contain \"S256\" (RFC 7636 §4.2: servers must support it)",
        "authorizationCodeTtlSeconds: must be between 1 and 3600, not 0",
        "users[0].password: {sha256} is too fast for passwords people choose; use {pbkdf2-sha256} (the hash-secret command makes one)",
        "clients[0].redirectUris[0]: not an absolute URI",
        "clients[0].enforcePKCE: unknown key (known keys: " + CLIENT_KEYS + ")",
        "routes[0].path: must start with \"/\"",
        "extra: unknown key (known keys: " + TOP_KEYS + ")");
    assertEquals(expected, e.problems());
    StringBuilder message = new StringBuilder("invalid Portcullis configuration " + file.toAbsolutePath() + " (9 problems):");
    expected.forEach(p -> message.append("\n  ").append(p));
    assertEquals(message.toString(), e.getMessage());
  }

  @Test
  void everyProblemOfOneUserEntryIsReported() {
    assertEquals(List.of(
        "users[0].username: must be non-empty and without control characters",
        "users[0].password: unknown scheme {md5}; use {noop}, {pbkdf2-sha256} or {sha256}",
        "users[2].username: \"bob\" is defined twice",
        "users[2].password: must start with a scheme: {noop}, {pbkdf2-sha256} or {sha256}"),
        problems("""
            {
              "users": [
                {"username": "", "password": "{md5}x"},
                {"username": "bob", "password": "{noop}a"},
                {"username": "bob", "password": "plain"}
              ],
              "clients": [{"clientId": "app", "redirectUris": ["https://app.example/cb"]}]
            }
            """));
  }

  @Test
  void clientWithAMalformedSecretIsNotTakenForAPublicClient() {
    assertEquals(List.of("clients[0].clientSecret: unknown scheme {md5}; use {noop}, {pbkdf2-sha256} or {sha256}"),
        problems("""
            {"enforcePkce": false,
             "clients": [{"clientId": "app", "clientSecret": "{md5}x", "redirectUris": ["https://app.example/cb"],
                          "enforcePkce": false}]}
            """));
  }

  // ---- where the file is ----

  @Test
  void locatePrefersInitParameterThenSystemPropertyThenEnvironment() {
    Function<String, String> sys = Map.of(ConfigLoader.CONFIG_PROPERTY, "/sys.json")::get;
    Function<String, String> env = Map.of(ConfigLoader.CONFIG_ENV, "/env.json")::get;
    Function<String, String> none = name -> null;

    assertEquals(Optional.of("/init.json"), ConfigLoader.locate("/init.json", sys, env));
    assertEquals(Optional.of("/sys.json"), ConfigLoader.locate(null, sys, env));
    assertEquals(Optional.of("/env.json"), ConfigLoader.locate(null, none, env));
    assertEquals(Optional.empty(), ConfigLoader.locate(null, none, none));
  }

  @Test
  void locateAsksForTheDocumentedNames() {
    assertEquals("portcullis.config", ConfigLoader.CONFIG_PROPERTY);
    assertEquals("PORTCULLIS_CONFIG", ConfigLoader.CONFIG_ENV);
    Function<String, String> sys = name -> name.equals("portcullis.config") ? "/sys.json" : null;
    Function<String, String> env = name -> name.equals("PORTCULLIS_CONFIG") ? "/env.json" : null;
    assertEquals(Optional.of("/sys.json"), ConfigLoader.locate(null, sys, env));
    assertEquals(Optional.of("/env.json"), ConfigLoader.locate(null, name -> null, env));
  }

  @Test
  void locateSkipsBlankValuesAndTrims() {
    Function<String, String> sys = name -> "   ";
    Function<String, String> env = name -> "  /env.json \n";
    assertEquals(Optional.of("/env.json"), ConfigLoader.locate("", sys, env));
    assertEquals(Optional.of("/init.json"), ConfigLoader.locate(" /init.json ", sys, env));
  }

  // ---- throttling, requireHttps, trustedProxies ----

  static final String ONE_CLIENT = "\"clients\": [{\"clientId\": \"app\", \"redirectUris\": [\"https://a.example/cb\"]}]";

  @Test
  void throttlingHasTheDocumentedDefaults() throws Exception {
    PortcullisConfig config = load("{" + ONE_CLIENT + "}");
    ThrottlingSettings throttling = config.throttling();
    assertEquals(Duration.ofSeconds(300), throttling.window());
    assertEquals(10, throttling.userFailures());
    assertEquals(100, throttling.addressFailures());
    assertEquals(20, throttling.clientFailures());
    assertTrue(throttling.concurrentPasswordChecks() >= 1);
    assertTrue(config.transport().requireHttps());
    assertEquals(List.of(), config.transport().trustedProxies());
  }

  @Test
  void throttlingAndProxiesAreRead() throws Exception {
    PortcullisConfig config = load("""
        {"throttling": {"windowSeconds": 60, "userFailures": 3, "addressFailures": 30, "clientFailures": 5,
                        "concurrentPasswordChecks": 4},
         "requireHttps": false, "trustedProxies": ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"], %s}
        """.formatted(ONE_CLIENT));
    assertEquals(new ThrottlingSettings(Duration.ofSeconds(60), 3, 30, 5, 4), config.throttling());
    assertFalse(config.transport().requireHttps());
    assertTrue(config.warnings().contains("requireHttps: is false: tokens, codes and passwords may cross the "
        + "network in clear text (RFC 6749 §1.6 and §10.9 require TLS)"), config.warnings().toString());
    assertTrue(config.transport().isTrustedProxy("10.20.30.40"));
    assertTrue(config.transport().isTrustedProxy("192.0.2.7"));
    assertFalse(config.transport().isTrustedProxy("192.0.2.8"));
    assertTrue(config.transport().isTrustedProxy("2001:db8:1::5"));
    assertFalse(config.transport().isTrustedProxy("203.0.113.1"));
  }

  @Test
  void badThrottlingAndProxiesAreReportedWithTheirPaths() {
    assertEquals(List.of(
            "throttling.windowSeconds: must be between 1 and 86400, not 0",
            "throttling.userFailures: must be a whole number",
            "throttling.userFailure: unknown key (known keys: windowSeconds, userFailures, addressFailures, "
                + "clientFailures, concurrentPasswordChecks)",
            "requireHttps: must be true or false",
            "trustedProxies[0]: \"10.0.0.0/33\" is not an IP address or CIDR block: the prefix length must be "
                + "between 0 and 32",
            "trustedProxies[1]: \"proxy.example\" is not an IP address or CIDR block: not an IP address"),
        problems("""
            {"throttling": {"windowSeconds": 0, "userFailures": "ten", "userFailure": 3},
             "requireHttps": "yes", "trustedProxies": ["10.0.0.0/33", "proxy.example"], %s}
            """.formatted(ONE_CLIENT)));
  }

  @Test
  void aSnapshotFileMustBeAnAbsolutePathInADirectoryThatExists() throws Exception {
    Path file = dir.resolve("store.snapshot");
    PortcullisConfig config = load("{\"store\": {\"snapshotFile\": \"%s\"}, %s}".formatted(file, ONE_CLIENT));
    assertEquals(Optional.of(file), config.store().snapshotFile());
    assertEquals(List.of("store.snapshotFile: must be an absolute path"),
        problems("{\"store\": {\"snapshotFile\": \"store.snapshot\"}, %s}".formatted(ONE_CLIENT)));
    assertEquals(List.of("store.snapshotFile: must be in a directory that exists"),
        problems("{\"store\": {\"snapshotFile\": \"%s\"}, %s}".formatted(dir.resolve("no/such/dir/s"), ONE_CLIENT)));
  }

  // ---- helpers ----

  private Path write(String json) throws IOException {
    Path file = dir.resolve("portcullis.json");
    Files.writeString(file, json, StandardCharsets.UTF_8);
    return file;
  }

  private PortcullisConfig load(String json) throws IOException, ConfigException {
    return ConfigLoader.load(write(json));
  }

  private List<String> problems(String json) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(json));
    return e.problems();
  }
}
