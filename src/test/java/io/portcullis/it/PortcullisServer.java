package io.portcullis.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The packaged {@code target/portcullis.war}, deployed in an embedded Jetty 12 (ee10) on a free
 * port, configured through the context init-parameter as an operator would.
 */
public final class PortcullisServer implements AutoCloseable {

  private final Server server;
  private final WebAppContext webapp;
  private final String baseUrl;

  private PortcullisServer(Server server, WebAppContext webapp, String baseUrl) {
    this.server = server;
    this.webapp = webapp;
    this.baseUrl = baseUrl;
  }

  /** The WAR that {@code mvn package} built; failsafe passes its path. */
  public static Path war() {
    String war = System.getProperty("portcullis.war", "target/portcullis.war");
    Path path = Path.of(war);
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(path + " does not exist: run the integration tests with `mvn verify`");
    }
    return path;
  }

  public static PortcullisServer start(Path config) throws Exception {
    return start(config, "/");
  }

  /**
   * @param config the config file, passed as the context init-parameter; {@code null} passes none,
   *               as a deployment that forgot to say where its config is
   */
  public static PortcullisServer start(Path config, String contextPath) throws Exception {
    Server server = new Server(0);
    WebAppContext webapp = new WebAppContext();
    webapp.setWar(war().toAbsolutePath().toString());
    webapp.setContextPath(contextPath);
    if (config != null) {
      webapp.setInitParameter("portcullis.config", config.toAbsolutePath().toString());
    }
    webapp.setThrowUnavailableOnStartupException(true);
    webapp.setTempDirectory(Files.createTempDirectory("portcullis-webapp").toFile());
    server.setHandler(webapp);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    String base = "http://127.0.0.1:" + port + ("/".equals(contextPath) ? "" : contextPath);
    return new PortcullisServer(server, webapp, base);
  }

  /** {@code http://127.0.0.1:port/context} without a trailing slash. */
  public String baseUrl() {
    return baseUrl;
  }

  public int port() {
    return java.net.URI.create(baseUrl).getPort();
  }

  /** The context path as the server sees it: {@code ""} for the root context. */
  public String contextPath() {
    return java.net.URI.create(baseUrl).getRawPath();
  }

  public String url(String path) {
    return baseUrl + path;
  }

  public boolean isAvailable() {
    return webapp.isAvailable();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /** Writes a config file into {@code dir} and returns its path. */
  public static Path writeConfig(Path dir, String json) throws IOException {
    Path file = dir.resolve("portcullis.json");
    Files.writeString(file, json);
    return file;
  }
}
