package io.portcullis.it;

import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.RESOURCE;
import static io.portcullis.it.ConfigJson.RESOURCE_SECRET;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.portcullis.it.ConfigJson.Client;
import io.portcullis.it.Grants.Caller;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Config hot reload: each test edits the config file of the running server (as an operator would,
 * by writing a new version and moving it over the old) and watches the change over HTTP. Each
 * version carries a marker scope, so a test knows when the server has taken it up: within 5 s.
 */
class HotReloadIT {

  static final Duration WITHIN = Duration.ofSeconds(5);
  static final AtomicInteger VERSION = new AtomicInteger();

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(HotReloadIT::base);
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);
  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);
  static final Caller RESOURCE_SERVER = Caller.confidential(RESOURCE, RESOURCE_SECRET, null);
  static final ExecutorService pool = Executors.newFixedThreadPool(8);

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  /**
   * The clients and routes of the grant tests, {@code /api/orders} needing {@code email}; the
   * throttle out of the way of the tests that send old secrets on purpose.
   */
  static ConfigJson base() {
    return ConfigJson.grants().route("/api/orders", "email")
        .set("throttling", com.google.gson.JsonParser.parseString("{\"clientFailures\": 1000000, \"addressFailures\": 1000000}"));
  }

  /** Writes {@code config} with a new marker, moved over the file in one step; returns once it applies. */
  static Duration apply(ConfigJson config) throws Exception {
    String marker = "version-" + VERSION.incrementAndGet();
    config.client(Client.confidential("marker-app", "marker-secret").withoutRedirectUris().scopes(marker)
        .grantTypes("client_credentials"));
    long start = System.nanoTime();
    write(config.json());
    while (!markers().contains(marker)) {
      assertTrue(System.nanoTime() - start < WITHIN.toNanos(), marker + " did not apply within " + WITHIN);
      Thread.sleep(50);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  static void write(String json) throws Exception {
    Path file = server.configFile();
    Path next = file.resolveSibling("next.json");
    Files.writeString(next, json);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The scopes the metadata document lists: the markers of the versions in force. */
  static List<String> markers() throws Exception {
    List<String> scopes = new ArrayList<>();
    for (JsonElement scope : OAuthClient.json(client.get(Grants.METADATA)).getAsJsonArray("scopes_supported")) {
      scopes.add(scope.getAsString());
    }
    return scopes;
  }

  static HttpResponse<String> clientCredentials(String clientId, String secret) throws Exception {
    return client.postForm(TOKEN, params("grant_type", "client_credentials"), "Authorization", basic(clientId, secret));
  }

  @Test
  void aNewClientWorksWithinFiveSeconds() throws Exception {
    assertEquals(401, clientCredentials("late-app", "late-secret").statusCode());
    Duration took = apply(base().client(Client.confidential("late-app", "late-secret").withoutRedirectUris()
        .scopes("email").grantTypes("client_credentials")));
    HttpResponse<String> token = clientCredentials("late-app", "late-secret");
    assertEquals(200, token.statusCode(), token.body());
    assertTrue(took.compareTo(WITHIN) < 0, "applied after " + took);
  }

  @Test
  void aChangedSecretAppliesAtOnce() throws Exception {
    apply(base());
    assertEquals(200, clientCredentials(SERVICE, SERVICE_SECRET).statusCode());
    apply(base().replaceClient(Client.confidential(SERVICE,
        "rotated-secret").withoutRedirectUris().scopes("email", "profile").grantTypes("client_credentials")));
    assertEquals(401, clientCredentials(SERVICE, SERVICE_SECRET).statusCode(), "the old secret");
    assertEquals(200, clientCredentials(SERVICE, "rotated-secret").statusCode(), "the new one");
    apply(base());
  }

  @Test
  void aRemovedClientsTokensStopWorkingAtOnce() throws Exception {
    apply(base());
    Grants.Tokens tokens = grants.authorize(APP, "email");
    String service = OAuthClient.json(clientCredentials(SERVICE, SERVICE_SECRET)).get("access_token").getAsString();
    grants.assertPasses(tokens.access());
    grants.assertPasses(service);

    apply(base().removeClient(REFRESHING).removeClient(SERVICE));
    grants.assertRefused(tokens.access());
    grants.assertRefused(service);
    JsonObject introspected = grants.introspection(RESOURCE_SERVER, tokens.access());
    assertFalse(introspected.get("active").getAsBoolean(), introspected.toString());
    assertEquals(401, grants.refresh(APP, tokens.refresh(), null).statusCode(), "the client is gone");

    // Registered again, the client's tokens work again: they were refused while it was gone, not
    // revoked (an operator who means to end them revokes them: the admin endpoint).
    apply(base());
    grants.assertPasses(tokens.access());
    assertEquals(200, grants.refresh(APP, tokens.refresh(), null).statusCode());
  }

  /**
   * A user taken out of the config no longer holds what they approved: their tokens are refused
   * at the filter, at introspection and at refresh, a code they approved is not exchanged, while a
   * client's own token is untouched. Listed again, they hold it again: refused, not revoked.
   */
  @Test
  void aRemovedUsersTokensStopWorkingAtOnce() throws Exception {
    apply(base().user("leaver", "leaver-password"));
    Grants.Tokens tokens = grants.authorize(APP, "email", "leaver", "leaver-password");
    Grants.Approved pending = grants.approved(APP, "email", "leaver", "leaver-password");
    String service = OAuthClient.json(clientCredentials(SERVICE, SERVICE_SECRET)).get("access_token").getAsString();
    grants.assertPasses(tokens.access());

    apply(base());
    grants.assertRefused(tokens.access());
    JsonObject introspected = grants.introspection(RESOURCE_SERVER, tokens.access());
    assertFalse(introspected.get("active").getAsBoolean(), introspected.toString());
    JsonObject ownRefresh = grants.introspection(APP, tokens.refresh());
    assertFalse(ownRefresh.get("active").getAsBoolean(), "its refresh token, asked by its client: " + ownRefresh);
    HttpResponse<String> refresh = grants.refresh(APP, tokens.refresh(), null);
    assertEquals(400, refresh.statusCode(), refresh.body());
    assertEquals("invalid_grant", OAuthClient.json(refresh).get("error").getAsString());
    HttpResponse<String> exchanged = grants.exchange(APP, pending);
    assertEquals(400, exchanged.statusCode(), exchanged.body());
    assertEquals("invalid_grant", OAuthClient.json(exchanged).get("error").getAsString());
    grants.assertPasses(service);

    apply(base().user("leaver", "leaver-password"));
    grants.assertPasses(tokens.access());
    assertEquals(200, grants.refresh(APP, tokens.refresh(), null).statusCode(), "refused while gone, not spent");
    apply(base());
  }

  @Test
  void aRouteRuleChangeAppliesToTheNextRequest() throws Exception {
    apply(base());
    Grants.Tokens tokens = grants.authorize(APP, "email");
    assertEquals(200, grants.route("/api/orders", tokens.access()).statusCode());
    apply(ConfigJson.grants().route("/api/orders", "admin")
        .set("throttling", com.google.gson.JsonParser.parseString("{\"clientFailures\": 1000000, \"addressFailures\": 1000000}")));
    HttpResponse<String> refused = grants.route("/api/orders", tokens.access());
    assertEquals(403, refused.statusCode());
    assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").contains("insufficient_scope"));
    apply(base());
    assertEquals(200, grants.route("/api/orders", tokens.access()).statusCode());
  }

  @Test
  void anInvalidVersionIsRefusedAndTheOneInForceStays() throws Exception {
    apply(base());
    try (LogCapture log = LogCapture.start()) {
      write(base().set("accessTokenTtlSeconds", -5).json());
      long deadline = System.nanoTime() + WITHIN.toNanos();
      while (log.lines().stream().noneMatch(l -> l.contains("config reload refused"))) {
        assertTrue(System.nanoTime() < deadline, "no refusal logged: " + log.lines());
        Thread.sleep(50);
      }
      String refusal = log.lines().stream().filter(l -> l.contains("config reload refused")).findFirst().orElseThrow();
      assertTrue(refusal.contains("accessTokenTtlSeconds"), "names the JSON path: " + refusal);
    }
    HttpResponse<String> token = clientCredentials(SERVICE, SERVICE_SECRET);
    assertEquals(200, token.statusCode(), "the version in force still answers");
    assertEquals(3600, OAuthClient.json(token).get("expires_in").getAsInt());
    write("{ this is not JSON");
    Thread.sleep(2 * 1000 + 200);
    assertEquals(200, clientCredentials(SERVICE, SERVICE_SECRET).statusCode());
    apply(base()); // and a valid version after them applies: the reloads go on
  }

  /**
   * No request sees two versions: while the config flips between two versions many times a
   * second, every token bought with version A's secret has version A's lifetime, never B's.
   */
  @Test
  void everyRequestSeesOneVersionWhole() throws Exception {
    ConfigJson a = base().replaceClient(Client.confidential(SERVICE, "secret-a").withoutRedirectUris()
        .scopes("email").grantTypes("client_credentials").accessTokenTtlSeconds(111));
    ConfigJson b = base().replaceClient(Client.confidential(SERVICE, "secret-b").withoutRedirectUris()
        .scopes("email").grantTypes("client_credentials").accessTokenTtlSeconds(222));
    apply(a);
    AtomicBoolean flipping = new AtomicBoolean(true);
    Future<?> flipper = pool.submit(() -> {
      boolean toB = true;
      while (flipping.get()) {
        write((toB ? b : a).json());
        toB = !toB;
        Thread.sleep(300);
      }
      return null;
    });
    int[] answered = new int[2];
    try {
      long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
      while (System.nanoTime() < until) {
        for (String secret : List.of("secret-a", "secret-b")) {
          HttpResponse<String> token = clientCredentials(SERVICE, secret);
          if (token.statusCode() == 200) {
            int ttl = OAuthClient.json(token).get("expires_in").getAsInt();
            assertEquals(secret.equals("secret-a") ? 111 : 222, ttl, "a token of one version, its lifetime of the other");
            answered[secret.equals("secret-a") ? 0 : 1]++;
          } else {
            assertEquals(401, token.statusCode(), token.body());
          }
        }
      }
    } finally {
      flipping.set(false);
      flipper.get();
    }
    assertTrue(answered[0] > 0 && answered[1] > 0, "both versions were in force: " + answered[0] + ", " + answered[1]);
    apply(base());
  }

  /**
   * What was asked before a reload is answered under the version after it: an approval page of a
   * client removed meanwhile gets no code (400, not a 500), and a code's scope taken from the
   * client meanwhile is not handed out.
   */
  @Test
  void aReloadBetweenTheApprovalPageAndTheAnswerIsHonoured() throws Exception {
    apply(base());
    String verifier = OAuthClient.newVerifier();
    OAuthClient.ApprovalPage page = client.authorize(params("response_type", "code", "client_id", REFRESHING,
        "redirect_uri", REFRESHING_REDIRECT, "scope", "email profile",
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"));
    apply(base().removeClient(REFRESHING));
    HttpResponse<String> answered = client.decide(page, "approve", ConfigJson.USER, ConfigJson.PASSWORD);
    assertEquals(400, answered.statusCode(), answered.body());
    assertTrue(answered.body().contains("no longer registered"), answered.body());

    apply(base());
    String code = client.approve(params("response_type", "code", "client_id", REFRESHING,
        "redirect_uri", REFRESHING_REDIRECT, "scope", "email profile",
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"),
        ConfigJson.USER, ConfigJson.PASSWORD).get("code");
    apply(base().replaceClient(Client.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT)
        .scopes("email").grantTypes("authorization_code", "refresh_token")));
    HttpResponse<String> token = client.postForm(TOKEN, params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REFRESHING_REDIRECT, "code_verifier", verifier), "Authorization",
        basic(REFRESHING, REFRESHING_SECRET));
    assertEquals(200, token.statusCode(), token.body());
    assertEquals("email", OAuthClient.json(token).get("scope").getAsString(), "profile was taken from the client");
    apply(base());
  }
}
