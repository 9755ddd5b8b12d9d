package io.portcullis.tools.webmethods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.portcullis.config.ClientRegistration;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.StoredSecret;
import io.portcullis.oauth.RandomValues;
import io.portcullis.tools.webmethods.WebMethodsExports.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The import command on each shape webMethods exports, and what each field becomes. */
class ImportWebMethodsTest {

  @TempDir Path dir;
  final Supplier<String> secrets = new RandomValues()::token;

  /** Runs the command, asserts it succeeded with a config Portcullis loads, and returns that config. */
  PortcullisConfig imported(Run run) throws Exception {
    assertEquals(0, run.exit(), run.err());
    return ConfigLoader.load("stdout", JsonParser.parseString(run.out()));
  }

  static JsonObject client(Run run, String clientId) {
    for (var client : JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonArray("clients")) {
      if (client.getAsJsonObject().get("clientId").getAsString().equals(clientId)) {
        return client.getAsJsonObject();
      }
    }
    throw new AssertionError("no client " + clientId + " in\n" + run.out());
  }

  /** The report holds each of {@code lines}. */
  static void reports(Run run, String... lines) {
    for (String line : lines) {
      assertTrue(run.err().contains(line), "no \"" + line + "\" in the report:\n" + run.err());
    }
  }

  @Test
  void archive107KeepsTheClearSecretHashedAndDropsWhatRfc9700Forbids() throws Exception {
    Run run = WebMethodsExports.run(dir, WebMethodsExports.archive107(), secrets);
    PortcullisConfig config = imported(run);
    ClientRegistration orders = config.clients().get("orders-portal");
    assertTrue(orders.secret() instanceof StoredSecret.Sha256, "stored as {sha256}");
    assertTrue(orders.secret().matches(WebMethodsExports.CLEAR_SECRET_107), "the same secret still works");
    assertFalse(run.out().contains(WebMethodsExports.CLEAR_SECRET_107), run.out());
    assertFalse(run.err().contains(WebMethodsExports.CLEAR_SECRET_107), run.err());
    assertEquals("Orders portal", orders.name());
    assertEquals(List.of("https://orders.example.com/callback"), orders.redirectUris(), "a repeated URI once");
    assertEquals(List.of("orders.read", "orders.write"), List.copyOf(orders.scopes()));
    assertEquals(Set.of("authorization_code", "refresh_token"), orders.grantTypes());
    assertEquals(1800, orders.accessTokenTtl().getSeconds());
    // The local alias: lifetimes, the global PKCE switch, scope descriptions.
    assertEquals(2400, config.accessTokenTtl().getSeconds());
    assertEquals(300, config.authorizationCodeTtl().getSeconds());
    assertFalse(config.enforcePkce());
    assertFalse(orders.pkceRequired(), "USE_GLOBAL_SETTING with webMethods's switch off");
    assertEquals("See your orders", config.scopeDescriptions().get("orders.read"));
    assertFalse(config.scopeDescriptions().containsKey("bad scope"));
    reports(run, "password grant dropped: RFC 9700 §2.4",
        "implicit grant dropped: RFC 9700 §2.1.2");
    reports(run, "refreshCount \"25\" not carried over",
        "scope description of \"bad scope\" left out");
    reports(run, "Totals: 1 imported (1 changed, 0 secrets rotated), 0 skipped");
  }

  @Test
  void archive1015RotatesMaskedSecretsAndMapsPkceTypes() throws Exception {
    Run run = WebMethodsExports.run(dir, WebMethodsExports.archive1015(), secrets);
    PortcullisConfig config = imported(run);
    assertEquals(Set.of("billing-backend", "mobile-app", "reports"), config.clients().keySet());

    ClientRegistration billing = config.clients().get("billing-backend");
    assertTrue(billing.secret().matches(run.rotatedSecret("billing-backend")), "the reported secret is the one stored");
    assertTrue(billing.pkceRequired(), "pkceType ENFORCED");
    assertTrue(client(run, "billing-backend").get("enforcePkce").getAsBoolean());
    assertEquals(Set.of("authorization_code", "client_credentials"), billing.grantTypes());
    assertEquals(600, billing.accessTokenTtl().getSeconds());

    ClientRegistration mobile = config.clients().get("mobile-app");
    assertNull(mobile.secret(), "PUBLIC: no secret");
    assertEquals(Set.of("authorization_code"), mobile.grantTypes());
    assertEquals(config.accessTokenTtl(), mobile.accessTokenTtl(), "never-expiring tokens get the global lifetime");
    reports(run, "refresh_token dropped: refreshCount 0",
        "client_credentials dropped: a public client");
    reports(run, "PKCE: NOT_ENFORCED in webMethods, but Portcullis requires it of this client (a public client)",
        "access tokens never expired in webMethods");

    // Known only from the read-only clientRegistration view.
    ClientRegistration reports = config.clients().get("reports");
    assertEquals("Reports", reports.name());
    assertEquals(List.of("https://reports.example.com/cb"), reports.redirectUris());
    assertEquals(Set.of("reports"), reports.scopes());
    assertEquals(Set.of("authorization_code", "refresh_token"), reports.grantTypes(), "tokenRefreshLimit 5 allows refresh");
    assertEquals(7200, reports.accessTokenTtl().getSeconds());
    run.rotatedSecret("reports");

    reports(run, "skipped   Strategy.e6f7a8b9-1015-4c0d-8e1f-2a3b4c5d6e09 \"Partner JWT\": a strategy of type JWT",
        "\"Okta client\": its client is registered at the authorization server \"okta\"");
    reports(run, "1 encrypted PassmanData entry passed over",
        "Totals: 3 imported (3 changed, 2 secrets rotated), 2 skipped");
  }

  @Test
  void strategiesJsonAndOneStrategy() throws Exception {
    Run run = WebMethodsExports.run(dir, WebMethodsExports.fixture("strategies.json"), secrets);
    PortcullisConfig config = imported(run);
    ClientRegistration shop = config.clients().get("shop");
    assertTrue(shop.secret().matches(run.rotatedSecret("shop")));
    assertTrue(config.enforcePkce(), "Portcullis's default without a local alias");
    reports(run, "PKCE now required: webMethods's global switch was off (its default; the export holds no local alias)",
        "skipped   strategies[1] \"Internal JWT\"");

    JsonObject one = new JsonObject();
    one.add("strategy", JsonParser.parseString(new String(WebMethodsExports.fixture("strategy-10.7-clear-secret.json"),
        StandardCharsets.UTF_8)));
    Run single = WebMethodsExports.run(dir, one.toString().getBytes(StandardCharsets.UTF_8), secrets);
    assertEquals(Set.of("orders-portal"), imported(single).clients().keySet());
    reports(single, "webMethods import: one strategy");
  }

  @Test
  void applications101BothCredentialForms() throws Exception {
    Run run = WebMethodsExports.run(dir, WebMethodsExports.fixture("applications-10.1.json"), secrets);
    PortcullisConfig config = imported(run);
    ClientRegistration crm = config.clients().get("legacy-crm");
    assertTrue(crm.secret().matches(WebMethodsExports.CLEAR_SECRET_101));
    assertFalse(run.out().contains(WebMethodsExports.CLEAR_SECRET_101) || run.err().contains(WebMethodsExports.CLEAR_SECRET_101));
    assertEquals(Set.of("authorization_code", "refresh_token"), crm.grantTypes(), "refreshCount 3");
    assertEquals(900, crm.accessTokenTtl().getSeconds());
    assertEquals(Set.of("crm"), crm.scopes());

    ClientRegistration intranet = config.clients().get("old-intranet");
    assertTrue(intranet.secret().matches(run.rotatedSecret("old-intranet")), "a masked oauth_credentials secret");
    assertEquals(List.of("intranet", "profile"), List.copyOf(intranet.scopes()), "10.1 scopes as one string");
    assertEquals(Set.of("authorization_code"), intranet.grantTypes(), "token_refresh_limit 0");
    assertEquals("Old intranet", intranet.name());
    assertEquals(3600, intranet.accessTokenTtl().getSeconds());
    reports(run, "skipped   applications[2] \"API key only\": no OAuth credentials");
  }

  @Test
  void mergeKeepsUsersRoutesAndSettingsAndReplacesClientsById() throws Exception {
    Path base = dir.resolve("portcullis.json");
    Files.writeString(base, """
        {
          "issuer": "https://gw.example.com",
          "enforcePkce": true,
          "accessTokenTtlSeconds": 900,
          "users": [ { "username": "Administrator", "password": "{noop}manage" } ],
          "scopeDescriptions": { "orders.read": "Read the orders, as we say it" },
          "clients": [
            { "clientId": "kept-app", "clientSecret": "{noop}kept-secret", "redirectUris": ["https://kept.example.com/cb"] },
            { "clientId": "orders-portal", "clientSecret": "{noop}old", "redirectUris": ["https://old.example.com/cb"] }
          ],
          "routes": [ { "path": "/api/*", "scopes": ["orders.read"] } ]
        }
        """);
    Run run = WebMethodsExports.run(dir, WebMethodsExports.archive107(), secrets, "--merge", base.toString());
    PortcullisConfig config = imported(run);
    JsonObject out = JsonParser.parseString(run.out()).getAsJsonObject();
    JsonObject before = JsonParser.parseString(Files.readString(base)).getAsJsonObject();
    for (String kept : List.of("issuer", "enforcePkce", "accessTokenTtlSeconds", "users", "routes")) {
      assertEquals(before.get(kept), out.get(kept), kept);
    }
    JsonArray clients = out.getAsJsonArray("clients");
    assertEquals(2, clients.size());
    assertEquals(before.getAsJsonArray("clients").get(0), clients.get(0), "the other client untouched");
    assertEquals("orders-portal", clients.get(1).getAsJsonObject().get("clientId").getAsString(), "replaced in place");
    assertEquals(List.of("https://orders.example.com/callback"), config.clients().get("orders-portal").redirectUris());
    assertEquals("Read the orders, as we say it", config.scopeDescriptions().get("orders.read"), "kept");
    assertEquals("Read your invoices", config.scopeDescriptions().get("billing"), "added");
    reports(run, "replaces the client of this id in the merged config",
        "kept this config's accessTokenTtlSeconds 900; webMethods's accessTokenExpInterval is \"2400\"");
    assertTrue(config.clients().get("orders-portal").pkceRequired(), "the merged config's global switch");
  }

  /**
   * Importing the same export again into the config it made: the secrets already handed out stay,
   * what the operator set that webMethods has no word for stays, and a third run changes nothing.
   */
  @Test
  void mergingAgainKeepsTheSecretsInUseAndTheOperatorsOwnSettings() throws Exception {
    Run first = WebMethodsExports.run(dir, WebMethodsExports.archive1015(), secrets);
    imported(first);
    JsonObject config = JsonParser.parseString(first.out()).getAsJsonObject();
    JsonObject billing = null;
    for (var client : config.getAsJsonArray("clients")) {
      if (client.getAsJsonObject().get("clientId").getAsString().equals("billing-backend")) {
        billing = client.getAsJsonObject();
      }
    }
    billing.addProperty("resourceServer", true);
    billing.addProperty("maxLiveTokens", 50);
    config.add("users", JsonParser.parseString("[{\"username\": \"Administrator\", \"password\": \"{noop}manage\"}]"));
    Path base = dir.resolve("portcullis.json");
    Files.writeString(base, config.toString());

    Run second = WebMethodsExports.run(dir, WebMethodsExports.archive1015(), secrets, "--merge", base.toString());
    PortcullisConfig merged = imported(second);
    ClientRegistration kept = merged.clients().get("billing-backend");
    assertTrue(kept.secret().matches(first.rotatedSecret("billing-backend")), "the secret handed out still works");
    assertTrue(merged.clients().get("reports").secret().matches(first.rotatedSecret("reports")));
    assertTrue(kept.resourceServer());
    assertEquals(50, kept.maxLiveTokens());
    assertFalse(second.err().contains("Secrets rotated"), second.err());
    reports(second, "secret kept from the merged config: the export holds none in clear, and the one in use stays",
        "kept from the merged config, where the export says nothing of it: resourceServer, maxLiveTokens",
        "Totals: 3 imported (3 changed, 0 secrets rotated), 2 skipped");

    Files.writeString(base, second.out());
    Run third = WebMethodsExports.run(dir, WebMethodsExports.archive1015(), secrets, "--merge", base.toString());
    assertEquals(0, third.exit(), third.err());
    assertEquals(second.out(), third.out(), "a third run changes nothing");
  }

  /** A client that webMethods now says is public cannot stay a resource server of the merged config. */
  @Test
  void mergingAClientThatTurnedPublicLeavesOutWhatNeedsASecret() throws Exception {
    Path base = dir.resolve("portcullis.json");
    Files.writeString(base, """
        {"users": [{"username": "Administrator", "password": "{noop}manage"}],
         "clients": [{"clientId": "turned-public", "clientSecret": "{noop}old-secret", "resourceServer": true,
                      "maxLiveTokens": 7, "redirectUris": ["https://old.example.com/cb"]}]}
        """);
    String strategies = """
        {"strategies": [{"name": "Now public", "type": "OAUTH2",
          "dcrConfig": {"clientId": "turned-public", "clientType": "PUBLIC", "redirectUris": ["https://new.example.com/cb"]}}]}
        """;
    Run run = WebMethodsExports.run(dir, strategies.getBytes(StandardCharsets.UTF_8), secrets, "--merge", base.toString());
    ClientRegistration client = imported(run).clients().get("turned-public");
    assertNull(client.secret());
    assertFalse(client.resourceServer());
    assertEquals(7, client.maxLiveTokens());
    reports(run, "resourceServer of the merged config left out: the client is public now",
        "kept from the merged config, where the export says nothing of it: maxLiveTokens");
  }

  /**
   * What the export leaves to webMethods's global settings stays the operator's; what it decides
   * is its own; a secret of JSON null in the merged config is no secret to keep.
   */
  @Test
  void mergingKeepsWhatTheExportLeavesOpenAndNeverANullSecret() throws Exception {
    Path base = dir.resolve("portcullis.json");
    Files.writeString(base, """
        {"enforcePkce": false, "users": [{"username": "Administrator", "password": "{noop}manage"}],
         "clients": [{"clientId": "strict", "clientSecret": null, "enforcePkce": true, "accessTokenTtlSeconds": 60,
                      "scopes": ["orders", "admin"], "redirectUris": ["https://old.example.com/cb"]}]}
        """);
    String strategies = """
        {"strategies": [{"name": "Strict", "type": "OAUTH2", "dcrConfig": {"clientId": "strict",
          "clientType": "CONFIDENTIAL", "clientSecret": "****", "pkceType": "USE_GLOBAL_SETTING",
          "scopes": ["orders"], "redirectUris": ["https://new.example.com/cb"]}}]}
        """;
    Run run = WebMethodsExports.run(dir, strategies.getBytes(StandardCharsets.UTF_8), secrets, "--merge", base.toString());
    ClientRegistration strict = imported(run).clients().get("strict");
    assertTrue(strict.secret().matches(run.rotatedSecret("strict")), "a new secret: the merged config held none");
    assertTrue(strict.pkceRequired(), "the operator's own enforcePkce, where webMethods follows the global switch");
    assertEquals(60, strict.accessTokenTtl().getSeconds());
    assertEquals(Set.of("orders"), strict.scopes(), "the export's scopes, not the wider old ones");
    assertEquals(List.of("https://new.example.com/cb"), strict.redirectUris());
    assertEquals(Set.of("authorization_code"), strict.grantTypes(), "a strategy without a refresh limit: no refresh");
    reports(run, "kept from the merged config, where the export says nothing of it: enforcePkce, accessTokenTtlSeconds");
  }

  /** README: 10.1 applications get refresh_token unless the refresh limit is 0 — also when none is given. */
  @Test
  void applications101WithoutARefreshLimitMayRefresh() throws Exception {
    String applications = """
        {"applications": [{"name": "No limit", "accessTokens": {"oauth2Token": {"clientId": "no-limit",
          "redirectUris": ["https://no-limit.example.com/cb"], "scopes": ["orders"]}}}]}
        """;
    Run run = WebMethodsExports.run(dir, applications.getBytes(StandardCharsets.UTF_8), secrets);
    assertEquals(Set.of("authorization_code", "refresh_token"), imported(run).clients().get("no-limit").grantTypes());
  }

  @Test
  void mergeIntoAnInvalidConfigWritesNothing() throws Exception {
    Path base = dir.resolve("broken.json");
    Files.writeString(base, "{\"clients\": [], \"enforcePKCE\": true}");
    Run run = WebMethodsExports.run(dir, WebMethodsExports.archive107(), secrets, "--merge", base.toString());
    assertEquals(1, run.exit());
    assertEquals("", run.out());
    reports(run, "enforcePKCE: unknown key");
  }

  @Test
  void nothingImportableExitsWithOneAndWritesNoConfig() throws Exception {
    Run run = WebMethodsExports.run(dir, ("{\"strategies\":[" + new String(WebMethodsExports.fixture("strategy-jwt.json"),
        StandardCharsets.UTF_8) + "]}").getBytes(StandardCharsets.UTF_8), secrets);
    assertEquals(1, run.exit());
    assertEquals("", run.out());
    reports(run, "Totals: 0 imported",
        "nothing could be imported; no config written");
  }

  @Test
  void aClientPortcullisWouldRefuseIsSkippedWithTheLoadersReason() throws Exception {
    String strategies = """
        {"strategies": [
          {"name": "Wildcard", "type": "OAUTH2", "authServerAlias": "local",
           "dcrConfig": {"clientId": "wild", "clientType": "PUBLIC", "redirectUris": ["https://*.example.com/cb"]}},
          {"name": "Password only", "type": "OAUTH2", "authServerAlias": "local",
           "dcrConfig": {"clientId": "ropc", "clientType": "CONFIDENTIAL", "allowedGrantTypes": ["password"],
                         "redirectUris": ["https://ropc.example.com/cb"]}},
          {"name": "Fine", "type": "OAUTH2",
           "dcrConfig": {"clientId": "fine", "clientType": "PUBLIC", "redirectUris": ["https://fine.example.com/cb"]}},
          {"name": "Twice", "type": "OAUTH2",
           "dcrConfig": {"clientId": "fine", "clientType": "PUBLIC", "redirectUris": ["https://twice.example.com/cb"]}}
        ]}
        """;
    Run run = WebMethodsExports.run(dir, strategies.getBytes(StandardCharsets.UTF_8), secrets);
    assertEquals(Set.of("fine"), imported(run).clients().keySet());
    reports(run, "skipped   strategies[0] \"Wildcard\": Portcullis would refuse it: redirectUris[0]: an http(s) redirect URI needs a host",
        "skipped   strategies[1] \"Password only\": no grant type that Portcullis offers (webMethods allowed password)");
    reports(run, "skipped   strategies[3] \"Twice\": client id \"fine\" was already imported from strategies[2] \"Fine\"");
  }

  @Test
  void usageMistakesExitWithTwo() {
    assertEquals(2, WebMethodsExports.runArgs(secrets).exit());
    assertEquals(2, WebMethodsExports.runArgs(secrets, "a.zip", "b.zip").exit());
    assertEquals(2, WebMethodsExports.runArgs(secrets, "a.zip", "--merge").exit());
    Run run = WebMethodsExports.runArgs(secrets, "--verbose", "a.zip");
    assertEquals(2, run.exit());
    reports(run, "usage:");
    assertEquals("", run.out());
  }
}
