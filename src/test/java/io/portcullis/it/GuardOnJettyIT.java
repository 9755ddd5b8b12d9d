package io.portcullis.it;

import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.RESOURCE;
import static io.portcullis.it.ConfigJson.RESOURCE_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.it.Grants.Caller;
import io.portcullis.it.Grants.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis-guard.jar} on real Jetty 12, ee10 (Servlet 6.0) and ee11 (Servlet 6.1): a
 * webapp of static files with the jar in WEB-INF/lib beside the WAR (memory store), its tokens
 * checked at the WAR's introspection endpoint. Jetty reads the jar's web-fragment.xml as Tomcat
 * does (GuardPluginIT has the whole story on Tomcat).
 */
class GuardOnJettyIT {

  @TempDir static Path dir;
  static final Map<String, ContainerProcess> jetty = new LinkedHashMap<>();
  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);

  @BeforeAll
  static void start() throws Exception {
    Path config = ConfigJson.grants().write(dir, "portcullis.json");
    Path docs = dir.resolve("docs");
    Files.createDirectories(docs.resolve("WEB-INF/lib"));
    Files.createDirectories(docs.resolve("public"));
    Files.writeString(docs.resolve("WEB-INF/web.xml"), """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"><display-name>docs</display-name></web-app>
        """);
    Files.copy(GuardPluginIT.guardJar(), docs.resolve("WEB-INF/lib/portcullis-guard.jar"));
    Files.writeString(docs.resolve("manual.txt"), "the manual");
    Files.writeString(docs.resolve("public/index.txt"), "the index");
    for (String environment : new String[] {"ee10", "ee11"}) {
      JettyContainer container = JettyContainer.of(environment, dir);
      Path guard = Files.writeString(dir.resolve("guard-" + environment + ".json"), """
          {"realm": "docs", "introspection": {"url": "http://127.0.0.1:%d/portcullis%s", "clientId": "%s",
           "clientSecret": "%s"}, "routes": [{"path": "/public/*", "public": true}]}
          """.formatted(container.port(), Grants.INTROSPECT, RESOURCE, RESOURCE_SECRET));
      jetty.put(environment, container.deploy("/portcullis", config).deployOther("/docs", docs, guard).start());
    }
  }

  @AfterAll
  static void stop() {
    jetty.values().forEach(ContainerProcess::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ee10", "ee11"})
  void theGuardProtectsTheWebappBesideTheWar(String environment) throws Exception {
    ContainerProcess container = jetty.get(environment);
    OAuthClient http = new OAuthClient(container.baseUrl("/"));
    Grants portcullis = new Grants(new OAuthClient(container.baseUrl("/portcullis")));

    HttpResponse<String> none = http.get("/docs/manual.txt");
    assertEquals(401, none.statusCode(), container.logTail());
    assertEquals("Bearer realm=\"docs\"", none.headers().firstValue("WWW-Authenticate").orElse(null));
    assertEquals("the index", http.get("/docs/public/index.txt").body());

    Tokens tokens = portcullis.authorize(APP, "email");
    HttpResponse<String> passed = http.get("/docs/manual.txt", "Authorization", "Bearer " + tokens.access());
    assertEquals(200, passed.statusCode(), passed.body());
    assertEquals("the manual", passed.body());

    assertEquals(200, portcullis.revoke(Grants.REVOKE, APP, tokens.access(), null).statusCode());
    assertEquals(401, http.get("/docs/manual.txt", "Authorization", "Bearer " + tokens.access()).statusCode());
  }
}
