package io.portcullis.it;

import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.oauth.RandomValues;
import io.portcullis.tools.webmethods.WebMethodsExports;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A migration as an operator does it: the 10.7 and the 10.15 archive merged one after the other
 * into a config that holds the gateway's users and routes, the WAR started with the result, and the
 * seed's flow (authorize with PKCE, approve as a gateway user, token) completed by imported clients:
 * one whose secret was rotated (taken from the report), one whose clear-text secret was kept
 * hashed, and a public one.
 */
class ImportWebMethodsIT {

  static final String BILLING_REDIRECT = "https://billing.example.com/oauth/callback";
  static final String ORDERS_REDIRECT = "https://orders.example.com/callback";
  static final String MOBILE_REDIRECT = "com.example.mobile:/oauth2redirect";

  static PortcullisServer server;
  static Grants grants;
  static String billingSecret;

  @BeforeAll
  static void importAndStart() throws Exception {
    Path dir = Files.createTempDirectory(PortcullisServer.war().toAbsolutePath().getParent(), "ImportWebMethodsIT-");
    Path config = PortcullisServer.writeConfig(dir, """
        {
          "users": [ { "username": "%s", "password": "{noop}%s" } ],
          "clients": [],
          "routes": [ { "path": "/health", "public": true }, { "path": "/api/*" } ]
        }
        """.formatted(ConfigJson.USER, ConfigJson.PASSWORD));
    RandomValues random = new RandomValues();
    WebMethodsExports.Run first = WebMethodsExports.run(dir, WebMethodsExports.archive107(), random::token,
        "--merge", config.toString());
    assertEquals(0, first.exit(), first.err());
    Files.writeString(config, first.out());
    WebMethodsExports.Run second = WebMethodsExports.run(dir, WebMethodsExports.archive1015(), random::token,
        "--merge", config.toString());
    assertEquals(0, second.exit(), second.err());
    Files.writeString(config, second.out());
    billingSecret = second.rotatedSecret("billing-backend");
    server = PortcullisServer.start(config);
    grants = new Grants(new OAuthClient(server));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aClientWithARotatedSecretCompletesTheSeedsFlow() throws Exception {
    Grants.Tokens tokens = grants.authorize(Grants.Caller.confidential("billing-backend", billingSecret, BILLING_REDIRECT),
        "billing");
    assertEquals("billing", tokens.scope());
    JsonObject caller = grants.assertPasses(tokens.access());
    assertEquals("billing-backend", caller.get("client_id").getAsString());
    assertEquals(ConfigJson.USER, caller.get("username").getAsString());
  }

  @Test
  void theRotatedSecretIsTheOnlyOneThatWorks() throws Exception {
    HttpResponse<String> issued = grants.client().postForm(OAuthClient.TOKEN, params("grant_type", "client_credentials"),
        "Authorization", OAuthClient.basic("billing-backend", billingSecret));
    assertNotNull(Grants.issued(issued).access());
    HttpResponse<String> masked = grants.client().postForm(OAuthClient.TOKEN, params("grant_type", "client_credentials"),
        "Authorization", OAuthClient.basic("billing-backend", "********"));
    assertEquals(401, masked.statusCode(), masked.body());
  }

  @Test
  void aClearTextSecretOfThe107ExportStillWorksAndRefreshes() throws Exception {
    Grants.Caller orders = Grants.Caller.confidential("orders-portal", WebMethodsExports.CLEAR_SECRET_107, ORDERS_REDIRECT);
    Grants.Tokens tokens = grants.authorize(orders, "orders.read");
    assertNotNull(tokens.refresh(), "authorization_code and refresh_token carried over");
    HttpResponse<String> refreshed = grants.refresh(orders, tokens.refresh(), null);
    grants.assertPasses(Grants.issued(refreshed).access());
    assertEquals(1800, OAuthClient.json(refreshed).get("expires_in").getAsInt(), "expirationInterval 1800");
  }

  @Test
  void aPublicClientAuthorizesWithPkceAlone() throws Exception {
    Grants.Tokens tokens = grants.authorize(Grants.Caller.publicClient("mobile-app", MOBILE_REDIRECT), "orders.read");
    assertTrue(tokens.refresh() == null, "refreshCount 0: no refresh token");
    assertEquals("mobile-app", grants.assertPasses(tokens.access()).get("client_id").getAsString());
  }

  @Test
  void theDocumentedCommandRunsFromThePackagedJar() throws Exception {
    Path dir = Files.createTempDirectory(PortcullisServer.war().toAbsolutePath().getParent(), "ImportWebMethodsIT-");
    Path export = dir.resolve("strategies.json");
    Files.write(export, WebMethodsExports.fixture("strategies.json"));
    Path jar = PortcullisServer.war().toAbsolutePath().resolveSibling("portcullis-classes.jar");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", jar.toString(), "io.portcullis.tools.ImportWebMethods", export.toString())
        .redirectOutput(dir.resolve("out.json").toFile()).redirectError(dir.resolve("report.txt").toFile()).start();
    assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the command ends");
    String report = Files.readString(dir.resolve("report.txt"));
    assertEquals(0, process.exitValue(), report);
    WebMethodsExports.Run run = new WebMethodsExports.Run(0, Files.readString(dir.resolve("out.json")), report);
    String secret = run.rotatedSecret("shop");
    io.portcullis.config.PortcullisConfig config = io.portcullis.config.ConfigLoader.load(dir.resolve("out.json"));
    assertTrue(config.clients().get("shop").secret().matches(secret), "a generated secret, hashed in the config");
  }

  /** Portcullis reads its config as UTF-8: the command writes it so under any locale, the C locale too. */
  @Test
  void theConfigIsWrittenAsUtf8WhateverTheLocale() throws Exception {
    Path dir = Files.createTempDirectory(PortcullisServer.war().toAbsolutePath().getParent(), "ImportWebMethodsIT-");
    Path export = dir.resolve("strategies.json");
    Files.writeString(export, """
        {"strategies": [{"name": "Café ☕ 日本", "type": "OAUTH2", "dcrConfig": {"clientId": "cafe",
          "clientName": "Café ☕ 日本", "clientType": "PUBLIC", "redirectUris": ["https://cafe.example.com/cb"]}}]}
        """, StandardCharsets.UTF_8);
    Path jar = PortcullisServer.war().toAbsolutePath().resolveSibling("portcullis-classes.jar");
    ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", jar.toString(), "io.portcullis.tools.ImportWebMethods", export.toString())
        .redirectOutput(dir.resolve("out.json").toFile()).redirectError(dir.resolve("report.txt").toFile());
    command.environment().keySet().removeIf(name -> name.startsWith("LC_") || name.equals("LANG"));
    command.environment().put("LC_ALL", "C");
    Process process = command.start();
    assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the command ends");
    assertEquals(0, process.exitValue(), Files.readString(dir.resolve("report.txt"), StandardCharsets.UTF_8));
    io.portcullis.config.PortcullisConfig config = io.portcullis.config.ConfigLoader.load(dir.resolve("out.json"));
    assertEquals("Café ☕ 日本", config.clients().get("cafe").name());
    assertTrue(Files.readString(dir.resolve("report.txt"), StandardCharsets.UTF_8).contains("\"Café ☕ 日本\""),
        "the report as well");
  }
}
