package io.portcullis.it;

import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.RESOURCE;
import static io.portcullis.it.ConfigJson.RESOURCE_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import io.portcullis.it.Grants.Tokens;
import io.portcullis.testing.RedisServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import javax.tools.JavaCompiler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis-guard.jar} in other webapps beside the Portcullis WAR, all in one real Tomcat
 * 10.1 on one real redis-server:
 *
 * <ul>
 *   <li>{@code /portcullis}: the WAR, its store in Redis;
 *   <li>{@code /orders}: a webapp of JSPs and static files with the guard jar in WEB-INF/lib and no
 *       line about Portcullis in its web.xml, checking tokens in the shared Redis with a 60 s
 *       near-cache, which a revocation on the WAR must empty at once (Redis pub/sub);
 *   <li>{@code /billing}: the same, checking tokens at the node's introspection endpoint as the
 *       {@code resourceServer} client, its secret from the environment;
 *   <li>{@code /ledger}: introspection against a port where nothing listens;
 *       {@code /stale}: introspection with a wrong secret;
 *   <li>{@code /unconfigured}: the guard jar and no config: it must not start.
 * </ul>
 *
 * Each host webapp also has, in WEB-INF/classes (which the webapp loader reads before
 * WEB-INF/lib), its own broken copies of classes the guard's libraries have — Gson's JsonReader,
 * Caffeine, Jedis's RedisClient — which throw when loaded: a guard whose libraries were not
 * relocated would load those and fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuardPluginIT {

  @Order(1) @RegisterExtension static final RedisServer redis = new RedisServer();
  @TempDir static Path dir;
  static ContainerProcess tomcat;
  static Grants portcullis;
  static OAuthClient http;
  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);
  static final Caller GUARD = Caller.confidential(RESOURCE, RESOURCE_SECRET, null);
  static final List<String> HOSTS = List.of("/orders", "/billing");

  static final String WHOAMI = """
      <%@ page contentType="text/plain;charset=UTF-8" session="false" %>user=<%= request.getRemoteUser() %> \
      client=<%= request.getAttribute("portcullis.client_id") %> \
      scopes=<%= new java.util.TreeSet<Object>((java.util.Collection<?>) request.getAttribute("portcullis.scopes")) %> \
      auth=<%= request.getAuthType() %>""";

  @BeforeAll
  static void startTomcat() throws Exception {
    JsonObject store = new JsonObject();
    store.addProperty("type", "redis");
    store.addProperty("uri", redis.uri());
    Path config = ConfigJson.grants().set("store", store).write(dir, "portcullis.json");
    TomcatContainer container = TomcatContainer.unpack("10", dir).deployWithContextDescriptor("/portcullis", config);
    String introspect = "http://127.0.0.1:" + container.port() + "/portcullis" + Grants.INTROSPECT;
    String routes = """
        "routes": [{"path": "/public/*", "public": true}, {"path": "/admin/*", "scopes": ["admin"]}]""";
    host(container, "orders", """
        {"realm": "orders", "store": {"type": "redis", "uri": "%s", "nearCacheMillis": 60000}, %s}"""
        .formatted(redis.uri(), routes));
    host(container, "billing", """
        {"realm": "billing", "introspection": {"url": "%s", "clientId": "%s", "clientSecretEnv": "BILLING_GUARD_SECRET"},
         %s}""".formatted(introspect, RESOURCE, routes));
    host(container, "ledger", """
        {"realm": "ledger", "introspection": {"url": "http://127.0.0.1:%d/introspect", "clientId": "%s",
         "clientSecret": "%s"}, %s}""".formatted(closedPort(), RESOURCE, RESOURCE_SECRET, routes));
    host(container, "stale", """
        {"realm": "stale", "introspection": {"url": "%s", "clientId": "%s", "clientSecret": "not-the-secret"}, %s}"""
        .formatted(introspect, RESOURCE, routes));
    host(container, "unconfigured", null);
    String redisGuard = """
        {"realm": "%s", "store": {"type": "redis", "uri": "%s"}}""";
    host(container, "spied", redisGuard.formatted("spied", redis.uri()), "",
        "<listener><listener-class>host.EarlyFilterListener</listener-class></listener>");
    compileHostListener(container.home().resolve("webapps/spied/WEB-INF/classes"));
    host(container, "complete", redisGuard.formatted("complete", redis.uri()), " metadata-complete=\"true\"", "");
    host(container, "reloading", reloadingConfig(List.of(REFRESHING), "admin"));
    host(container, "nopassword", """
        {"realm": "nopassword", "store": {"type": "redis", "uri": "%s", "passwordEnv": "NO_SUCH_REDIS_PASSWORD"}}"""
        .formatted(redis.uri()));

    Map<String, String> environment = container.catalinaEnvironment("");
    environment.put("BILLING_GUARD_SECRET", RESOURCE_SECRET);
    environment.put("PORTCULLIS_CONFIG", ""); // whatever the test run has: the unconfigured webapp has nothing
    tomcat = container.start(List.of(container.home().resolve("bin/catalina.sh").toString(), "run"), environment);
    http = new OAuthClient(tomcat.baseUrl("/"));
    portcullis = new Grants(new OAuthClient(tomcat.baseUrl("/portcullis")));
    for (String host : List.of("/orders", "/billing", "/ledger", "/stale", "/complete", "/reloading")) {
      awaitGuarded(host);
    }
  }

  @AfterAll
  static void stopTomcat() {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  /**
   * A webapp of its own under webapps/: a web.xml that says nothing of Portcullis, the guard jar,
   * JSPs and a static file, the host's clashing classes, and a context descriptor naming the guard
   * config ({@code null}: none).
   */
  static void host(TomcatContainer container, String name, String guardConfig) throws Exception {
    host(container, name, guardConfig, "", "");
  }

  /** @param attributes of the web.xml's web-app element; @param body inside it */
  static void host(TomcatContainer container, String name, String guardConfig, String attributes, String body)
      throws Exception {
    Path app = container.home().resolve("webapps").resolve(name);
    Files.createDirectories(app.resolve("WEB-INF/lib"));
    Files.writeString(app.resolve("WEB-INF/web.xml"), """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"%s>
          <display-name>%s</display-name>
          %s
        </web-app>
        """.formatted(attributes, name, body));
    Files.copy(guardJar(), app.resolve("WEB-INF/lib/portcullis-guard.jar"));
    Files.writeString(app.resolve("whoami.jsp"), WHOAMI);
    Files.createDirectories(app.resolve("admin"));
    Files.writeString(app.resolve("admin/whoami.jsp"), WHOAMI);
    Files.createDirectories(app.resolve("public"));
    Files.writeString(app.resolve("public/hello.txt"), "hello from " + name);
    compileClashingClasses(app.resolve("WEB-INF/classes"));
    if (guardConfig != null) {
      Path file = Files.writeString(dir.resolve("guard-" + name + ".json"), guardConfig);
      Path descriptors = Files.createDirectories(container.home().resolve("conf/Catalina/localhost"));
      Files.writeString(descriptors.resolve(name + ".xml"), """
          <Context><Parameter name="portcullis.config" value="%s" override="false"/></Context>
          """.formatted(file.toAbsolutePath()));
    }
  }

  static Path guardJar() {
    Path jar = Path.of(System.getProperty("portcullis.guardJar", "target/portcullis-guard.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: run the integration tests with `mvn verify`");
    }
    return jar;
  }

  /** Classes of the guard's libraries, by their original names, that fail whoever loads them. */
  static void compileClashingClasses(Path classes) throws IOException {
    Path sources = Files.createDirectories(dir.resolve("clash-src"));
    List<String> files = new ArrayList<>();
    for (String name : List.of("com.google.gson.stream.JsonReader", "com.google.gson.JsonParser",
        "com.github.benmanes.caffeine.cache.Caffeine", "redis.clients.jedis.RedisClient",
        "redis.clients.jedis.HostAndPort")) {
      int dot = name.lastIndexOf('.');
      Path source = sources.resolve(name.replace('.', '/') + ".java");
      Files.createDirectories(source.getParent());
      Files.writeString(source, """
          package %s;
          public final class %s {
            static { if (true) throw new IllegalStateException("the host webapp's own %s was loaded"); }
          }
          """.formatted(name.substring(0, dot), name.substring(dot + 1), name));
      files.add(source.toString());
    }
    JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
    List<String> arguments = new ArrayList<>(List.of("-d", classes.toString()));
    arguments.addAll(files);
    assertEquals(0, javac.run(null, null, null, arguments.toArray(String[]::new)), "the clashing classes compile");
  }

  /**
   * A listener of the host webapp that adds, from code, a filter ahead of the web.xml's which
   * answers every request itself: it must still come after the guard.
   */
  static void compileHostListener(Path classes) throws Exception {
    Path source = Files.createDirectories(dir.resolve("host-src/host")).resolve("EarlyFilterListener.java");
    Files.writeString(source, """
        package host;
        import jakarta.servlet.*;
        public final class EarlyFilterListener implements ServletContextListener {
          @Override public void contextInitialized(ServletContextEvent event) {
            Filter answer = (request, response, chain) -> {
              response.setContentType("text/plain");
              response.getWriter().write("the host's filter answered");
            };
            event.getServletContext().addFilter("host-early", answer).addMappingForUrlPatterns(null, false, "/*");
          }
        }
        """);
    Path servletApi = Path.of(jakarta.servlet.Filter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, "-cp", servletApi.toString(), "-d", classes.toString(),
        source.toString()), "the host's listener compiles");
  }

  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Until the host webapp answers a request without a token with the guard's 401. */
  static void awaitGuarded(String host) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    int status = -1;
    while (Instant.now().isBefore(deadline)) {
      status = http.get(host + "/whoami.jsp").statusCode();
      if (status == 401) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(host + " answered " + status + ", not the guard's 401:\n" + tomcat.logTail());
  }

  static HttpResponse<String> call(String pathAndQuery, String token) throws Exception {
    return http.get(pathAndQuery, "Authorization", "Bearer " + token);
  }

  static void assertChallenge(HttpResponse<String> response, int status, String expected) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(expected, response.headers().firstValue("WWW-Authenticate").orElse(null));
  }

  /** A guard config in the nodes' manner: it lists the clients whose tokens pass. */
  static String reloadingConfig(List<String> clients, String adminScope) {
    return """
        {"realm": "reloading", "store": {"type": "redis", "uri": "%s"},
         "routes": [{"path": "/admin/*", "scopes": ["%s"]}],
         "users": [{"username": "Administrator"}],
         "clients": [%s]}""".formatted(redis.uri(), adminScope,
        String.join(", ", clients.stream().map(id -> "{\"clientId\": \"" + id + "\"}").toList()));
  }

  /** Rewrites a guard's config file as an operator would: a new file moved into place. */
  static void rewrite(String host, String config) throws IOException {
    Path file = dir.resolve("guard-" + host + ".json");
    Path next = Files.writeString(dir.resolve("guard-" + host + ".json.new"), config);
    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Asks until {@code path} answers {@code status} with the token, for at most 10 s (the guard reads its file every second). */
  static HttpResponse<String> awaitStatus(String path, String token, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    HttpResponse<String> answer;
    do {
      answer = call(path, token);
    } while (answer.statusCode() != status && System.nanoTime() < deadline && sleep());
    assertEquals(status, answer.statusCode(), answer.body() + "\n" + tomcat.logTail());
    return answer;
  }

  static boolean sleep() throws InterruptedException {
    Thread.sleep(100);
    return true;
  }

  // ---- the jar itself ----

  @Test
  @Order(1)
  void theJarHoldsTheFilterAloneWithItsLibrariesMoved() throws Exception {
    List<String> classes = new ArrayList<>();
    try (JarFile jar = new JarFile(guardJar().toFile())) {
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        if (name.endsWith(".class")) {
          classes.add(name);
        }
      }
      String fragment = new String(jar.getInputStream(jar.getEntry("META-INF/web-fragment.xml")).readAllBytes());
      assertTrue(fragment.contains("<listener-class>io.portcullis.web.GuardBootstrap</listener-class>"), fragment);
    }
    List<String> outside = classes.stream().filter(c -> !c.startsWith("io/portcullis/")
        && !c.matches("META-INF/versions/\\d+/io/portcullis/.*")).toList();
    assertEquals(List.of(), outside, "every class is Portcullis's own or moved below io/portcullis/guard/shaded");
    assertTrue(classes.contains("io/portcullis/guard/shaded/redis/clients/jedis/RedisClient.class"));
    assertTrue(classes.contains("io/portcullis/guard/shaded/gson/stream/JsonReader.class"));
    assertTrue(classes.contains("io/portcullis/guard/shaded/caffeine/cache/Caffeine.class"));
    assertEquals(List.of(), classes.stream().filter(c -> c.contains("Servlet") || c.contains("Bootstrap")
        && !c.endsWith("GuardBootstrap.class")).toList(), "no OAuth servlets, no WAR bootstrap");
  }

  /** jdeps: none of Portcullis's own classes in the jar needs a class the jar does not have. */
  @Test
  @Order(1)
  void everyClassTheGuardUsesIsInTheJar() throws Exception {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    Path servletApi = Path.of(jakarta.servlet.Filter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    StringWriter out = new StringWriter();
    int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--multi-release", "17", "--missing-deps",
        "-cp", servletApi.toString(), guardJar().toString());
    assertEquals(0, status, out.toString());
    List<String> missing = out.toString().lines().map(String::trim)
        .filter(line -> line.startsWith("io.portcullis.") && !line.startsWith("io.portcullis.guard.shaded."))
        .toList();
    assertEquals(List.of(), missing, out.toString());
  }

  // ---- guarded in both modes ----

  @Test
  @Order(2)
  void withoutATokenEachHostAnswersWithItsOwnRealmAndPublicRoutesPass() throws Exception {
    for (String host : HOSTS) {
      String realm = host.substring(1);
      assertChallenge(http.get(host + "/whoami.jsp"), 401, "Bearer realm=\"" + realm + "\"");
      assertChallenge(http.get(host + "/"), 401, "Bearer realm=\"" + realm + "\"");
      HttpResponse<String> open = http.get(host + "/public/hello.txt");
      assertEquals(200, open.statusCode(), open.body());
      assertEquals("hello from " + realm, open.body());
    }
  }

  @Test
  @Order(2)
  void aTokenPortcullisIssuedPassesInBothModesAndTheHostSeesWhoCalled() throws Exception {
    Tokens tokens = portcullis.authorize(APP, "email");
    for (String host : HOSTS) {
      HttpResponse<String> page = call(host + "/whoami.jsp", tokens.access());
      assertEquals(200, page.statusCode(), host + ": " + page.body());
      assertEquals("user=Administrator client=" + REFRESHING + " scopes=[email] auth=Bearer", page.body().trim());
    }
  }

  @Test
  @Order(2)
  void eachRouteWantsItsScopes() throws Exception {
    Tokens email = portcullis.authorize(APP, "email");
    Tokens admin = portcullis.authorize(APP, "email admin");
    for (String host : HOSTS) {
      assertChallenge(call(host + "/admin/whoami.jsp", email.access()), 403, "Bearer realm=\"" + host.substring(1)
          + "\", error=\"insufficient_scope\", error_description=\"the access token does not grant the scope this route "
          + "requires: admin\", scope=\"admin\"");
      HttpResponse<String> allowed = call(host + "/admin/whoami.jsp", admin.access());
      assertEquals(200, allowed.statusCode(), allowed.body());
      assertTrue(allowed.body().contains("scopes=[admin, email]"), allowed.body());
    }
  }

  @Test
  @Order(2)
  void unknownRefreshAndMalformedTokensAreRefused() throws Exception {
    Tokens tokens = portcullis.authorize(APP, "email");
    for (String host : HOSTS) {
      for (String wrong : List.of("not-a-token-of-ours", tokens.refresh())) {
        HttpResponse<String> refused = call(host + "/whoami.jsp", wrong);
        assertEquals(401, refused.statusCode(), refused.body());
        assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
      }
      assertEquals(400, http.get(host + "/whoami.jsp", "Authorization", "Bearer a b").statusCode());
    }
  }

  @Test
  @Order(2)
  void aRevocationOnTheNodeIsRefusedByBothHostsAtOnce() throws Exception {
    Tokens tokens = portcullis.authorize(APP, "email");
    for (String host : HOSTS) {
      assertEquals(200, call(host + "/whoami.jsp", tokens.access()).statusCode());
    }
    assertEquals(200, portcullis.revoke(Grants.REVOKE, APP, tokens.access(), null).statusCode());
    // By introspection without caching: refused on the next request. From the near-cache: as soon
    // as the pub/sub message has arrived — within a second even on a loaded machine, not 60 s.
    HttpResponse<String> billing = call("/billing/whoami.jsp", tokens.access());
    assertEquals(401, billing.statusCode(), billing.body());
    long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    HttpResponse<String> orders;
    do {
      orders = call("/orders/whoami.jsp", tokens.access());
    } while (orders.statusCode() == 200 && System.nanoTime() < deadline);
    assertEquals(401, orders.statusCode(), orders.body());
  }

  /**
   * The guard's config is read again every second, as the nodes' is: a client taken out of the
   * file is refused, a route's scopes change, an invalid version or one that moves the token
   * source is refused and the version in force stays.
   */
  @Test
  @Order(2)
  void theGuardAppliesAChangedConfigWithinASecond() throws Exception {
    Tokens tokens = portcullis.authorize(APP, "email");
    assertEquals(200, call("/reloading/whoami.jsp", tokens.access()).statusCode());
    assertEquals(403, call("/reloading/admin/whoami.jsp", tokens.access()).statusCode());

    rewrite("reloading", reloadingConfig(List.of(ConfigJson.CONFIDENTIAL), "admin"));
    assertChallenge(awaitStatus("/reloading/whoami.jsp", tokens.access(), 401), 401, "Bearer realm=\"reloading\", "
        + "error=\"invalid_token\", error_description=\"the access token is invalid, expired or revoked\"");
    assertTrue(tomcat.log().contains("Portcullis guard config " + dir.resolve("guard-reloading.json").toAbsolutePath()
        + " reloaded: 1 route(s), tokens of 1 client(s)"), tomcat.logTail());

    rewrite("reloading", reloadingConfig(List.of(REFRESHING), "email"));
    awaitStatus("/reloading/admin/whoami.jsp", tokens.access(), 200);

    rewrite("reloading", "{ \"realm\": ");
    awaitLog("Portcullis guard config reload refused, the version in force stays: invalid Portcullis configuration "
        + dir.resolve("guard-reloading.json").toAbsolutePath() + ": not valid JSON");
    assertEquals(200, call("/reloading/admin/whoami.jsp", tokens.access()).statusCode(), "the version in force stays");
    rewrite("reloading", """
        {"realm": "reloading", "introspection": {"url": "https://node.example/introspect", "clientId": "x",
         "clientSecret": "y"}}""");
    awaitLog("Portcullis guard config reload refused, the version in force stays: it changes "
        + "\"store\" or \"introspection\", which apply only at a restart");
    assertEquals(200, call("/reloading/admin/whoami.jsp", tokens.access()).statusCode(), "the version in force stays");
  }

  static void awaitLog(String line) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!tomcat.log().contains(line) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(tomcat.log().contains(line), "no \"" + line + "\" in the log:\n" + tomcat.logTail());
  }

  /**
   * 250 clients trickling bodies to a guarded page without a token: the guard refuses them at
   * once and drops their bodies without holding Tomcat's 200 worker threads, so the host still
   * answers everyone else.
   */
  @Test
  @Order(2)
  void slowBodiesOfRefusedRequestsHoldNoThreads() throws Exception {
    String host = HOSTS.get(0);
    SlowClientsIT.whileTrickling(tomcat.port(), host + "/whoami.jsp", "", () -> {
      HttpResponse<String> open = http.http().send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(tomcat.baseUrl("/") + host + "/public/hello.txt"))
          .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, open.statusCode(), open.body());
    });
  }

  /** Many requests at once, half with a good token and half with a revoked one, over both hosts. */
  @Test
  @Order(2)
  void parallelRequestsGetEachTheirOwnAnswer() throws Exception {
    Tokens good = portcullis.authorize(APP, "email");
    Tokens revoked = portcullis.authorize(APP, "email");
    assertEquals(200, portcullis.revoke(Grants.REVOKE, APP, revoked.access(), null).statusCode());
    ExecutorService pool = Executors.newFixedThreadPool(40);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        String host = HOSTS.get(i % 2);
        String token = i % 4 < 2 ? good.access() : revoked.access();
        int expected = i % 4 < 2 ? 200 : 401;
        Callable<String> request = () -> {
          go.await();
          int status = call(host + "/whoami.jsp", token).statusCode();
          return status == expected ? "ok" : host + " answered " + status + ", not " + expected;
        };
        answers.add(pool.submit(request));
      }
      go.countDown();
      for (Future<String> answer : answers) {
        assertEquals("ok", answer.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The guard's filter comes before one the webapp adds from code, and guards a metadata-complete webapp. */
  @Test
  @Order(2)
  void theGuardGoesFirstAndNeedsNoFragmentScanning() throws Exception {
    assertChallenge(http.get("/spied/anything"), 401, "Bearer realm=\"spied\"");
    Tokens tokens = portcullis.authorize(APP, "email");
    HttpResponse<String> passed = call("/spied/anything", tokens.access());
    assertEquals(200, passed.statusCode(), passed.body());
    assertEquals("the host's filter answered", passed.body(), "and behind the guard the host's filter runs");

    assertChallenge(http.get("/complete/public/hello.txt"), 401, "Bearer realm=\"complete\"");
    assertEquals(200, call("/complete/public/hello.txt", tokens.access()).statusCode());
  }

  // ---- failing closed ----

  @Test
  @Order(3)
  void aNodeThatCannotBeReachedOrRefusesTheGuardMeans503NeverAPass() throws Exception {
    Tokens tokens = portcullis.authorize(APP, "email");
    for (String host : List.of("/ledger", "/stale")) {
      HttpResponse<String> refused = call(host + "/whoami.jsp", tokens.access());
      assertEquals(503, refused.statusCode(), host + ": " + refused.body());
      assertEquals("temporarily_unavailable", OAuthClient.json(refused).get("error").getAsString());
      assertEquals(200, http.get(host + "/public/hello.txt").statusCode(), "public routes need no token check");
    }
    String log = tomcat.log();
    assertTrue(log.contains("/introspect could not be reached"), "the ledger's cause is logged:\n" + log.lines()
        .filter(l -> l.contains("request denied")).toList());
    assertTrue(log.contains("refused the guard's client credentials (HTTP 401)"), "the stale secret is named");
    assertFalse(log.contains(tokens.access()), "no token in the log");
    assertFalse(log.contains(RESOURCE_SECRET), "no secret in the log");
  }

  @Test
  @Order(3)
  void aGuardWithoutConfigKeepsItsWebappStopped() throws Exception {
    HttpResponse<String> response = http.get("/unconfigured/public/hello.txt");
    assertEquals(404, response.statusCode(), "the webapp did not start: " + response.body());
    assertTrue(tomcat.log().contains("The Portcullis guard in context '/unconfigured' has no configuration, so the "
        + "webapp stays stopped rather than unguarded"), tomcat.logTail());
    assertEquals(404, http.get("/nopassword/public/hello.txt").statusCode(), "a password that is not there");
    assertTrue(tomcat.log().contains("The Portcullis guard in context '/nopassword' stays stopped: config "
        + dir.resolve("guard-nopassword.json").toAbsolutePath() + ": "), tomcat.logTail());
    assertTrue(tomcat.log().contains("NO_SUCH_REDIS_PASSWORD"), tomcat.logTail());
  }

  /** Redis killed: the Redis guard answers 503 (never a pass) and resumes by itself when it is back. */
  @Test
  @Order(4)
  void theRedisGuardFailsClosedWhileRedisIsDownAndResumes() throws Exception {
    Tokens tokens = portcullis.authorize(APP, "email");
    redis.kill();
    try {
      HttpResponse<String> refused = call("/orders/whoami.jsp", tokens.access());
      assertEquals(503, refused.statusCode(), refused.body());
      assertEquals("temporarily_unavailable", OAuthClient.json(refused).get("error").getAsString());
    } finally {
      redis.start();
    }
    // The server process was killed without persistence: its tokens are gone; a new one works.
    Tokens fresh = null;
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (fresh == null && Instant.now().isBefore(deadline)) {
      try {
        fresh = portcullis.authorize(APP, "email");
      } catch (AssertionError notYet) {
        Thread.sleep(200);
      }
    }
    assertTrue(fresh != null, "Portcullis issues tokens again once Redis is back");
    // Each pooled connection the kill broke fails once (503) and is replaced: the guard resumes by itself.
    int status = 0;
    deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (status != 200 && Instant.now().isBefore(deadline)) {
      status = call("/orders/whoami.jsp", fresh.access()).statusCode();
      assertTrue(status == 200 || status == 503, "while it resumes: 503 or 200, not " + status);
    }
    assertEquals(200, status, "the Redis guard resumes by itself");
    assertEquals(200, call("/billing/whoami.jsp", fresh.access()).statusCode());
  }
}
