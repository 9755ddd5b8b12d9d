package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.RESOURCE;
import static io.portcullis.it.ConfigJson.RESOURCE_SECRET;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.portcullis.it.Grants.Caller;
import io.portcullis.testing.Concurrently;
import io.portcullis.tools.Revoke;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Incident revocation over real HTTP: {@code POST /portcullis/admin/revoke} with {@code client_id=}
 * or {@code username=}, by an operator with the admin role, and the same through the Revoke
 * command. What was issued before is refused everywhere; what is issued afterwards works.
 */
class IncidentRevocationIT {

  static final String REVOKE = "/portcullis/admin/revoke";

  /** Bob and carol approve for one test each: revoking them touches no other test's tokens. */
  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants()
      .user("bob", "bob-password")
      .user("carol", "carol-password")
      .set("operations", JsonParser.parseString("""
          {"operators": [
            {"username": "ops", "password": "{noop}ops-password", "roles": ["admin"]},
            {"username": "watcher", "password": "{noop}watcher-password", "roles": ["metrics"]}]}""")));
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);
  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);
  static final Caller OTHER_APP = Caller.confidential(CONFIDENTIAL, CONFIDENTIAL_SECRET, CONFIDENTIAL_REDIRECT);
  static final Caller MARKUP_APP = Caller.confidential(ConfigJson.MARKUP, "markup-secret", ConfigJson.MARKUP_REDIRECT);
  static final Caller QUERY_APP = Caller.confidential(ConfigJson.QUERY, ConfigJson.QUERY_SECRET,
      ConfigJson.QUERY_REDIRECT);
  static final Caller SHORT_APP = Caller.confidential(ConfigJson.SHORT_REFRESH, ConfigJson.SHORT_REFRESH_SECRET,
      ConfigJson.SHORT_REFRESH_REDIRECT);
  static final Caller RESOURCE_SERVER = Caller.confidential(RESOURCE, RESOURCE_SECRET, null);
  static final ExecutorService pool = Executors.newFixedThreadPool(16);

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  static HttpResponse<String> revoke(String username, String password, Map<String, String> form) throws Exception {
    return client.postForm(REVOKE, form, "Authorization", OperationsIT.basic(username, password));
  }

  static String clientCredentials() throws Exception {
    HttpResponse<String> token = client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", OAuthClient.basic(SERVICE, SERVICE_SECRET));
    assertEquals(200, token.statusCode(), token.body());
    return OAuthClient.json(token).get("access_token").getAsString();
  }

  /** Tokens issued in the cut-off's second are refused too: the next ones must come a second later. */
  static void nextSecond(JsonObject answer) throws InterruptedException {
    Instant cutoff = Instant.parse(answer.get("cutoff").getAsString());
    while (!Instant.now().isAfter(cutoff.plusSeconds(1))) {
      Thread.sleep(50);
    }
  }

  @Test
  void everythingOfOneClientIsRefusedAndNewTokensWork() throws Exception {
    Grants.Tokens app = grants.authorize(APP, "email");
    String service = clientCredentials();
    grants.assertPasses(app.access());

    HttpResponse<String> answer = revoke("ops", "ops-password", params("client_id", REFRESHING));
    assertEquals(200, answer.statusCode(), answer.body());
    JsonObject body = OAuthClient.json(answer);
    assertEquals("client", body.get("revoked").getAsString());
    assertEquals(REFRESHING, body.get("client_id").getAsString());
    assertTrue(body.get("registered").getAsBoolean());
    assertTrue(Instant.parse(body.get("remembered_until").getAsString())
        .isAfter(Instant.parse(body.get("cutoff").getAsString())));

    grants.assertRefused(app.access());
    assertFalse(grants.introspection(RESOURCE_SERVER, app.access()).get("active").getAsBoolean());
    HttpResponse<String> refresh = grants.refresh(APP, app.refresh(), null);
    assertEquals(400, refresh.statusCode(), refresh.body());
    assertEquals("invalid_grant", OAuthClient.json(refresh).get("error").getAsString());
    grants.assertPasses(service); // another client's token is untouched

    nextSecond(body);
    Grants.Tokens again = grants.authorize(APP, "email");
    grants.assertPasses(again.access());
    assertEquals(200, grants.refresh(APP, again.refresh(), null).statusCode());
  }

  /** A flow that bob approves. */
  static Grants.Tokens approvedByBob(Caller caller) throws Exception {
    return approvedBy(caller, "bob", "bob-password");
  }

  static Grants.Tokens approvedBy(Caller caller, String username, String password) throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = client.approve(params("response_type", "code", "client_id", caller.clientId(),
        "redirect_uri", caller.redirectUri(), "scope", "email", "code_challenge", OAuthClient.challenge(verifier),
        "code_challenge_method", "S256"), username, password).get("code");
    return Grants.issued(client.postForm(TOKEN, params("grant_type", "authorization_code", "code", code,
        "redirect_uri", caller.redirectUri(), "code_verifier", verifier), caller.auth()));
  }

  @Test
  void everythingOneUserApprovedIsRefusedForEveryClient() throws Exception {
    Grants.Tokens app = approvedByBob(MARKUP_APP);
    Grants.Tokens other = approvedByBob(QUERY_APP);
    Grants.Tokens alices = grants.authorize(QUERY_APP, "email"); // another user's: untouched
    String service = clientCredentials(); // no user: untouched
    HttpResponse<String> answer = revoke("ops", "ops-password", params("username", "bob"));
    assertEquals(200, answer.statusCode(), answer.body());
    assertEquals("user", OAuthClient.json(answer).get("revoked").getAsString());
    grants.assertRefused(app.access());
    grants.assertRefused(other.access());
    grants.assertPasses(alices.access());
    grants.assertPasses(service);
    nextSecond(OAuthClient.json(answer));
    grants.assertPasses(approvedByBob(MARKUP_APP).access());
  }

  @Test
  void onlyAnAdminOperatorMayAndTheFormMustSayWhom() throws Exception {
    HttpResponse<String> none = client.postForm(REVOKE, params("client_id", SERVICE));
    assertEquals(401, none.statusCode());
    assertTrue(none.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Basic "));
    assertEquals(401, revoke("ops", "wrong", params("client_id", SERVICE)).statusCode());
    assertEquals(403, revoke("watcher", "watcher-password", params("client_id", SERVICE)).statusCode());
    HttpResponse<String> both = revoke("ops", "ops-password", params("client_id", SERVICE, "username", "bob"));
    assertEquals(400, both.statusCode());
    assertEquals("invalid_request", OAuthClient.json(both).get("error").getAsString());
    assertEquals(400, revoke("ops", "ops-password", params("scope", "x")).statusCode());
    HttpResponse<String> typo = revoke("ops", "ops-password", params("client_id", SERVICE, "usrname", "bob"));
    assertEquals(400, typo.statusCode(), "a misspelt parameter beside the other one revokes nothing");
    assertEquals("the request has a parameter other than client_id and username; give exactly one of them",
        OAuthClient.json(typo).get("error_description").getAsString());
    assertEquals(400, revoke("ops", "ops-password", params("client_id", "x".repeat(300))).statusCode());
    assertEquals(405, client.get(REVOKE, "Authorization", OperationsIT.basic("ops", "ops-password")).statusCode());
    // Nothing was revoked by any of these.
    grants.assertPasses(clientCredentials());
    // A client id nobody registered: done (its tokens, if any, are refused), and said so.
    HttpResponse<String> unknown = revoke("ops", "ops-password", params("client_id", "servcie-app"));
    assertEquals(200, unknown.statusCode());
    assertFalse(OAuthClient.json(unknown).get("registered").getAsBoolean());
  }

  /** Many operators at once: every answer names one cut-off in force, and the tokens stay refused. */
  @Test
  void parallelRevocationsAgreeOnTheCutOff() throws Exception {
    Grants.Tokens app = grants.authorize(OTHER_APP, "profile");
    List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      calls.add(() -> revoke("ops", "ops-password", params("client_id", CONFIDENTIAL)));
    }
    List<HttpResponse<String>> answers = Concurrently.atOnce(pool, calls);
    Instant latest = Instant.EPOCH;
    for (HttpResponse<String> answer : answers) {
      assertEquals(200, answer.statusCode(), answer.body());
      Instant cutoff = Instant.parse(OAuthClient.json(answer).get("cutoff").getAsString());
      latest = cutoff.isAfter(latest) ? cutoff : latest;
    }
    assertTrue(answers.stream().map(a -> Instant.parse(OAuthClient.json(a).get("cutoff").getAsString()))
        .distinct().count() <= 2, "within a second or two of each other");
    grants.assertRefused(app.access());
  }

  @Test
  void theRevokeCommandAsksTheNode() throws Exception {
    Grants.Tokens app = grants.authorize(SHORT_APP, "email");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = Map.of("PORTCULLIS_OPERATOR", "ops", "PORTCULLIS_OPERATOR_PASSWORD", "ops-password");
    int code = Revoke.run(new String[] {server.baseUrl() + "/portcullis", "client_id=" + ConfigJson.SHORT_REFRESH}, env::get,
        () -> null, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    JsonObject answer = JsonParser.parseString(out.toString(StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals(ConfigJson.SHORT_REFRESH, answer.get("client_id").getAsString());
    grants.assertRefused(app.access());

    Map<String, String> wrong = Map.of("PORTCULLIS_OPERATOR", "ops", "PORTCULLIS_OPERATOR_PASSWORD", "nope");
    assertEquals(1, Revoke.run(new String[] {server.baseUrl() + "/portcullis", "username=bob"}, wrong::get,
        () -> null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("answered 401"));
  }

  /** As an operator runs it from a script: its own JVM, no terminal, the password piped in. */
  @Test
  void theRevokeCommandTakesAPipedPassword() throws Exception {
    Grants.Tokens carols = approvedBy(MARKUP_APP, "carol", "carol-password");
    grants.assertPasses(carols.access());
    ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Revoke.class.getName(), server.baseUrl() + "/portcullis",
        "username=carol");
    command.environment().remove("PORTCULLIS_OPERATOR_PASSWORD");
    command.environment().put("PORTCULLIS_OPERATOR", "ops");
    Process revoke = command.start();
    try (OutputStream stdin = revoke.getOutputStream()) {
      stdin.write("ops-password\n".getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(revoke.waitFor(60, TimeUnit.SECONDS), "the command ends");
    String out = new String(revoke.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(revoke.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, revoke.exitValue(), err);
    assertEquals("carol", JsonParser.parseString(out).getAsJsonObject().get("username").getAsString());
    grants.assertRefused(carols.access());
  }
}
