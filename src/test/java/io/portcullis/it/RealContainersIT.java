package io.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The WAR, unchanged, in real containers: Tomcat 10.1 and 11 from their distributions, Jetty 12 in
 * its ee10 and ee11 environments, each in a process of its own on a free port. Every container
 * holds three deployments of the same WAR, each with its own config:
 * <ul>
 *   <li>{@code /} — {@code conf/portcullis.json}, the seed's client: the seed procedure verbatim;
 *   <li>{@code /gateway} — a second config: routes that answer 401/403/200, and proof that its
 *       clients, codes and tokens are its own;
 *   <li>{@code /staff} — {@code "userSource": "container"}: approvers are the container's users
 *       ({@code tomcat-users.xml}, a Jetty {@code HashLoginService}) with the approver role.
 * </ul>
 * The config locations are given every way deploy/ describes: Tomcat context descriptors
 * (deploy/tomcat/portcullis.xml), the systemd unit's {@code -Dportcullis.config}
 * (deploy/tomcat/portcullis-tomcat.service), a Jetty context file (deploy/jetty/portcullis.xml)
 * and a context init-parameter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealContainersIT {

  static final String SEED_CLIENT = "374b1fae-4405-411b-85a0-6e1ab90923ba";
  static final String SEED_SECRET = "change-me";
  static final String SEED_REDIRECT = "http://test.com";
  static final String APPROVER_ROLE = "portcullis-approver";

  static final String TOMCAT_USERS = """
      <?xml version="1.0" encoding="UTF-8"?>
      <tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
        <role rolename="portcullis-approver"/>
        <role rolename="auditor"/>
        <user username="alice" password="alice-pw" roles="portcullis-approver"/>
        <user username="bob" password="bob-pw" roles="auditor"/>
      </tomcat-users>
      """;
  static final String JETTY_USERS = """
      alice: alice-pw,portcullis-approver
      bob: bob-pw,auditor
      """;

  /** Under target/, so the containers' logs stay for a failure's post-mortem. */
  private Path dir;
  private final List<ContainerProcess> containers = new ArrayList<>();
  private Path rootConfig;
  private Path gatewayConfig;
  private Path staffConfig;

  @BeforeAll
  void startContainers() throws Exception {
    dir = java.nio.file.Files.createTempDirectory(
        java.nio.file.Files.createDirectories(Path.of("target/container-runs").toAbsolutePath()), "real-containers-");
    rootConfig = Path.of("conf/portcullis.json").toAbsolutePath();
    gatewayConfig = ConfigJson.empty()
        .user("Administrator", "gateway-pw")
        .client(ConfigJson.Client.confidential(SEED_CLIENT, "gateway-secret", SEED_REDIRECT)
            .name("Gateway application").scopes("email", "admin"))
        .publicRoute("/health")
        .route("/api/*", "email")
        .route("/admin/*", "admin")
        .write(dir, "gateway.json");
    staffConfig = ConfigJson.empty()
        .set("userSource", "container")
        .set("approverRole", APPROVER_ROLE)
        .client(ConfigJson.Client.confidential(SEED_CLIENT, SEED_SECRET, SEED_REDIRECT)
            .name("Staff application").scopes("email"))
        .route("/api/*", "email")
        .write(dir, "staff.json");

    containers.add(tomcat10());
    containers.add(tomcat11());
    containers.add(jettyEe10());
    containers.add(jettyEe11());
  }

  /** Tomcat 10.1: every deployment names its config in a context descriptor. */
  private ContainerProcess tomcat10() throws Exception {
    return TomcatContainer.unpack("10", dir)
        .users(TOMCAT_USERS)
        .deployWithContextDescriptor("/", rootConfig)
        .deployWithContextDescriptor("/gateway", gatewayConfig)
        .deployWithContextDescriptor("/staff", staffConfig)
        .start();
  }

  /**
   * Tomcat 11 started as the systemd unit in deploy/ starts it: the root deployment finds its
   * config through {@code -Dportcullis.config}; the other two have descriptors, whose
   * init-parameter wins over the system property.
   */
  private ContainerProcess tomcat11() throws Exception {
    TomcatContainer tomcat = TomcatContainer.unpack("11", dir)
        .users(TOMCAT_USERS)
        .deploy("/")
        .deployWithContextDescriptor("/gateway", gatewayConfig)
        .deployWithContextDescriptor("/staff", staffConfig);
    SystemdUnit unit = SystemdUnit.read(Path.of("deploy/tomcat/portcullis-tomcat.service"));
    Map<String, String> replacements = new LinkedHashMap<>();
    replacements.put("/opt/tomcat", tomcat.home().toString());
    replacements.put(TomcatContainer.DEPLOY_CONFIG_PATH, rootConfig.toString());
    replacements.put(unit.environment().get("JAVA_HOME"), System.getProperty("java.home"));
    SystemdUnit local = unit.replace(replacements);
    Map<String, String> environment = new LinkedHashMap<>(local.environment());
    environment.put("JAVA_OPTS", "-Xmx256m");
    return tomcat.start(local.execStart(), environment);
  }

  /** Jetty ee10: the root deployment from deploy/jetty/portcullis.xml, as a jetty-base would. */
  private ContainerProcess jettyEe10() throws Exception {
    return JettyContainer.of("ee10", dir)
        .users(JETTY_USERS)
        .deployWithContextXml("/", rootConfig)
        .deploy("/gateway", gatewayConfig)
        .deploy("/staff", staffConfig)
        .start();
  }

  private ContainerProcess jettyEe11() throws Exception {
    return JettyContainer.of("ee11", dir)
        .users(JETTY_USERS)
        .deploy("/", rootConfig)
        .deploy("/gateway", gatewayConfig)
        .deploy("/staff", staffConfig)
        .start();
  }

  @AfterAll
  void stopContainers() {
    containers.forEach(ContainerProcess::close);
  }

  Stream<ContainerProcess> containers() {
    return containers.stream();
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("containers")
  void startLogNamesEachConfig(ContainerProcess container) {
    String log = container.log();
    assertTrue(log.contains("Portcullis started at context '' with config " + rootConfig
        + ": 1 client(s), 1 user(s), 2 route(s)"), log);
    assertTrue(log.contains("Portcullis started at context '/gateway' with config " + gatewayConfig), log);
    assertTrue(log.contains("Portcullis started at context '/staff' with config " + staffConfig
        + ": 1 client(s), container users with role " + APPROVER_ROLE), log);
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("containers")
  void seedProcedureAtTheRootContext(ContainerProcess container) throws Exception {
    OAuthClient client = new OAuthClient(container.baseUrl("/"));
    String token = seedProcedure(client, "Test application", "Administrator", "manage", SEED_SECRET);

    HttpResponse<String> api = client.get("/api/orders", "Authorization", "Bearer " + token);
    assertEquals(200, api.statusCode(), api.body());
    assertEquals("Administrator", OAuthClient.json(api).get("username").getAsString());
    assertEquals(401, client.get("/api/orders").statusCode());
    assertEquals(200, client.get("/health").statusCode());
    // A load balancer's HEAD probe: the GET answer without its body, on every container.
    RawHttp.Response probe = RawHttp.exchange(container.port(), List.of("HEAD /portcullis/health/live HTTP/1.1"),
        null);
    assertEquals(200, probe.status());
    assertEquals("", probe.body());
    assertEquals(Integer.toString("{\"status\":\"UP\"}".length()), probe.firstHeader("Content-Length"));
  }

  /**
   * A chunked body whose framing breaks is answered 400 where the container lets Portcullis
   * answer (Jetty 12, Tomcat 11); Tomcat 10.1 closes the connection without an answer (and logs
   * 500 in its access log). Never a 500 to the client, and the next request is served as usual.
   */
  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("containers")
  void brokenChunkedFramingGetsNoServerError(ContainerProcess container) throws Exception {
    RawHttp.Response answer = RawHttp.exchangeFramed(container.port(), List.of(
        "POST /invoke/pub.apigateway.oauth2/getAccessToken HTTP/1.1", "Content-Type: application/x-www-form-urlencoded"),
        "Transfer-Encoding: chunked", "zz\r\n".getBytes(StandardCharsets.ISO_8859_1));
    if (container.name().startsWith("tomcat-10")) {
      assertNull(answer, "Tomcat 10.1 closes the connection: "
          + (answer == null ? "" : answer.status() + " " + answer.body()));
    } else {
      assertEquals(400, answer.status(), answer.body());
      assertEquals("invalid_request", JsonParser.parseString(answer.body()).getAsJsonObject().get("error").getAsString());
    }
    assertEquals(200, new OAuthClient(container.baseUrl("/")).get("/health").statusCode());
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("containers")
  void seedProcedureAndFilterAtGateway(ContainerProcess container) throws Exception {
    OAuthClient client = new OAuthClient(container.baseUrl("/gateway"));
    String token = seedProcedure(client, "Gateway application", "Administrator", "gateway-pw", "gateway-secret");

    HttpResponse<String> none = client.get("/api/orders");
    assertEquals(401, none.statusCode());
    assertEquals("Bearer realm=\"portcullis\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
    HttpResponse<String> unknown = client.get("/api/orders", "Authorization", "Bearer " + "0".repeat(64));
    assertEquals(401, unknown.statusCode());
    assertTrue(unknown.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
    HttpResponse<String> forbidden = client.get("/admin/users", "Authorization", "Bearer " + token);
    assertEquals(403, forbidden.statusCode());
    String challenge = forbidden.headers().firstValue("WWW-Authenticate").orElse("");
    assertTrue(challenge.contains("error=\"insufficient_scope\"") && challenge.contains("scope=\"admin\""), challenge);
    HttpResponse<String> ok = client.get("/api/orders", "Authorization", "Bearer " + token);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("/api/orders", OAuthClient.json(ok).get("path").getAsString());
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("containers")
  void deploymentsKeepTheirTokensApart(ContainerProcess container) throws Exception {
    OAuthClient root = new OAuthClient(container.baseUrl("/"));
    OAuthClient gateway = new OAuthClient(container.baseUrl("/gateway"));
    String rootToken = seedProcedure(root, "Test application", "Administrator", "manage", SEED_SECRET);
    String gatewayToken = seedProcedure(gateway, "Gateway application", "Administrator", "gateway-pw",
        "gateway-secret");

    assertEquals(200, root.get("/api/x", "Authorization", "Bearer " + rootToken).statusCode());
    HttpResponse<String> crossed = gateway.get("/api/x", "Authorization", "Bearer " + rootToken);
    assertEquals(401, crossed.statusCode());
    assertTrue(crossed.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
    assertEquals(401, root.get("/api/x", "Authorization", "Bearer " + gatewayToken).statusCode());
    // The same client id has another secret at the other deployment.
    HttpResponse<String> wrongSecret = root.postForm(OAuthClient.TOKEN, OAuthClient.params(
        "grant_type", "authorization_code", "code", "0".repeat(40)),
        "Authorization", OAuthClient.basic(SEED_CLIENT, "gateway-secret"));
    assertEquals(401, wrongSecret.statusCode());
    assertEquals("invalid_client", OAuthClient.json(wrongSecret).get("error").getAsString());
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("containers")
  void containerUsersWithTheApproverRoleApprove(ContainerProcess container) throws Exception {
    OAuthClient client = new OAuthClient(container.baseUrl("/staff"));
    String token = seedProcedure(client, "Staff application", "alice", "alice-pw", SEED_SECRET);
    HttpResponse<String> api = client.get("/api/orders", "Authorization", "Bearer " + token);
    assertEquals(200, api.statusCode(), api.body());
    assertEquals("alice", OAuthClient.json(api).get("username").getAsString());
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("containers")
  void containerUsersWithoutTheRoleOrWithAWrongPasswordAreRefused(ContainerProcess container) throws Exception {
    OAuthClient client = new OAuthClient(container.baseUrl("/staff"));
    String verifier = OAuthClient.newVerifier();
    OAuthClient.ApprovalPage page = client.authorize(seedQuery(verifier));
    for (String[] credentials : new String[][] {
        {"bob", "bob-pw"}, {"alice", "wrong"}, {"Administrator", "manage"}, {"nobody", "x"}}) {
      HttpResponse<String> refused = client.decide(page, "approve", credentials[0], credentials[1]);
      assertEquals(401, refused.statusCode(), credentials[0] + ": " + refused.body());
      assertTrue(refused.body().contains("The username or password is incorrect."), refused.body());
    }
    // The transaction survives the refusals; the approver completes it.
    HttpResponse<String> approved = client.decide(page, "approve", "alice", "alice-pw");
    assertEquals(302, approved.statusCode(), approved.body());
    assertNotNull(OAuthClient.redirectParameters(approved).get("code"));
  }

  /** The seed document's steps: S256 authorize, approve, JSON token request with Basic. */
  private static String seedProcedure(OAuthClient client, String clientName, String username, String password,
      String secret) throws Exception {
    String verifier = OAuthClient.newVerifier();
    OAuthClient.ApprovalPage page = client.authorize(seedQuery(verifier));
    assertTrue(page.html().contains(clientName), "the page names " + clientName);
    HttpResponse<String> redirect = client.decide(page, "approve", username, password);
    assertEquals(302, redirect.statusCode(), redirect.body());
    assertTrue(redirect.headers().firstValue("Location").orElseThrow().startsWith(SEED_REDIRECT + "?code="));
    String code = OAuthClient.redirectParameters(redirect).get("code");
    String body = "{\"redirect_uri\":\"" + SEED_REDIRECT + "\",\"scope\":\"email\",\"grant_type\":\"authorization_code\","
        + "\"code\":\"" + code + "\",\"code_verifier\":\"" + verifier + "\",\"client_id\":\"" + SEED_CLIENT + "\"}";
    HttpResponse<String> token = client.postJson(OAuthClient.TOKEN, body,
        "Authorization", OAuthClient.basic(SEED_CLIENT, secret));
    assertEquals(200, token.statusCode(), token.body());
    JsonObject json = OAuthClient.json(token);
    assertEquals("Bearer", json.get("token_type").getAsString());
    assertEquals("email", json.get("scope").getAsString());
    return json.get("access_token").getAsString();
  }

  private static Map<String, String> seedQuery(String verifier) {
    return OAuthClient.params("response_type", "code", "redirect_uri", SEED_REDIRECT, "client_id", SEED_CLIENT,
        "scope", "email", "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256");
  }
}
