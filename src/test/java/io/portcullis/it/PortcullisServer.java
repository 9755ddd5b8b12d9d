package io.portcullis.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The packaged {@code target/portcullis.war}, deployed in an embedded Jetty 12 (ee10) on a free
 * port, configured through the context init-parameter as an operator would.
 *
 * <h2>One authorization server for a test class: the JUnit 5 extension</h2>
 *
 * Most integration tests send every request of the class to one server with one config. They
 * declare it, and the client that calls it, in two lines:
 *
 * <pre>{@code
 * @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.standard());
 * static final OAuthClient client = new OAuthClient(server);
 * }</pre>
 *
 * The extension deploys the WAR before the class's first test (and before its own
 * {@code @BeforeAll} methods, which may already call it) and stops it after the last one.
 * <ul>
 *   <li>{@link #at(String)} deploys under a context path: {@code deploy(config).at("/gateway")}.</li>
 *   <li>{@link #deploy(Path)} takes a config file as it is, e.g. the operator's
 *       {@code conf/portcullis.json}.</li>
 *   <li>A class that compares deployments registers one extension per server.</li>
 *   <li>A {@link ConfigJson} is written as {@code portcullis.json} into a directory of its own,
 *       {@code target/it-runs/<TestClass>-<random>}, which is kept: when a test fails, the config
 *       the server ran with is there to read. {@code mvn clean} removes them.</li>
 *   <li>{@link #startupLog()} is what Portcullis logged while it started, for tests of the
 *       start-up log that cannot wrap a start the extension does for them.</li>
 * </ul>
 *
 * Until the extension has started it, the server has no port: {@link #baseUrl()}, {@link #port()},
 * {@link #url(String)}, {@link #contextPath()}, {@link #isAvailable()} and {@link #startupLog()}
 * throw an {@link IllegalStateException} saying so. JUnit calls {@code beforeAll} only on
 * extensions in <em>static</em> fields; one in an instance field never starts. An
 * {@link OAuthClient} of the server asks it for its URL at each request, so it may be built in a
 * field initializer all the same.
 *
 * <h2>A server inside a test</h2>
 *
 * {@link #start(Path)} and {@link #start(Path, String)} deploy at once and return a running server
 * to {@link #close()}, for a test that starts its own: a start that must fail, a config per test
 * (see {@code StartupIT}), or a program outside JUnit (the load benchmark).
 */
public final class PortcullisServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** Where the config of a deployment comes from: written for the test class, or a given file. */
  @FunctionalInterface
  private interface ConfigFile {
    /** The file to pass as the init-parameter; {@code null} passes none. */
    Path writeFor(Class<?> testClass) throws IOException;
  }

  /** A started deployment: what the accessors answer from. */
  private record Running(Server jetty, WebAppContext webapp, String baseUrl, List<String> startupLog, Path configFile) {}

  private final ConfigFile config;
  private final String contextPath;
  /** More context init-parameters than the config's location. */
  private final java.util.Map<String, String> initParameters = new java.util.LinkedHashMap<>();
  /** {@code null} until started and once stopped. */
  private Running running;
  /** The class (or other container) whose {@code beforeAll} started the server, so only its {@code afterAll} stops it. */
  private String startedBy;

  private PortcullisServer(ConfigFile config, String contextPath) {
    this.config = config;
    this.contextPath = contextPath;
  }

  /**
   * A server of this config at the root context, to register with {@code @RegisterExtension} on a
   * static field; not started yet.
   */
  static PortcullisServer deploy(ConfigJson config) {
    return new PortcullisServer(testClass -> config.write(runDirectory(testClass), "portcullis.json"), "/");
  }

  /**
   * Like {@link #deploy(ConfigJson)}, the config made only when the server starts: for a config
   * that names something another extension starts first (a Redis server's port).
   */
  static PortcullisServer deploy(java.util.function.Supplier<ConfigJson> config) {
    return new PortcullisServer(testClass -> config.get().write(runDirectory(testClass), "portcullis.json"), "/");
  }

  /**
   * Like {@link #deploy(ConfigJson)} with a config file as it is.
   *
   * @param config {@code null} passes none, as a deployment that forgot to say where its config is
   */
  public static PortcullisServer deploy(Path config) {
    return new PortcullisServer(testClass -> config, "/");
  }

  /** The same deployment under {@code contextPath}, e.g. {@code "/gateway"}; not started yet. */
  public PortcullisServer at(String contextPath) {
    return new PortcullisServer(config, contextPath);
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

  /**
   * A running server of this config file at the root context with these context
   * init-parameters too (e.g. {@code portcullis.metrics=off}); close it.
   */
  public static PortcullisServer start(Path config, java.util.Map<String, String> initParameters) throws Exception {
    PortcullisServer server = deploy(config);
    server.initParameters.putAll(initParameters);
    server.launch(config);
    return server;
  }

  /** A running server of this config file at the root context; close it. */
  public static PortcullisServer start(Path config) throws Exception {
    return start(config, "/");
  }

  /**
   * A running server of this config file under {@code contextPath}; close it.
   *
   * @param config the config file, passed as the context init-parameter; {@code null} passes none,
   *               as a deployment that forgot to say where its config is
   */
  public static PortcullisServer start(Path config, String contextPath) throws Exception {
    PortcullisServer server = deploy(config).at(contextPath);
    server.launch(config);
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    // A @Nested class inherits its enclosing class's extensions: it shares the server, not a second one.
    if (running == null) {
      launch(config.writeFor(context.getRequiredTestClass()));
      startedBy = context.getUniqueId();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (context.getUniqueId().equals(startedBy)) {
      close();
    }
  }

  /** A fresh directory under {@code target/it-runs}, named after the test class, kept after the run. */
  private static Path runDirectory(Class<?> testClass) throws IOException {
    // Beside the WAR under test, i.e. in Maven's build directory, whatever the working directory.
    Path runs = Files.createDirectories(war().toAbsolutePath().getParent().resolve("it-runs"));
    return Files.createTempDirectory(runs, testClass.getSimpleName() + "-");
  }

  private void launch(Path configFile) throws Exception {
    Server jetty = new Server(0);
    WebAppContext webapp = new WebAppContext();
    webapp.setWar(war().toAbsolutePath().toString());
    webapp.setContextPath(contextPath);
    if (configFile != null) {
      webapp.setInitParameter("portcullis.config", configFile.toAbsolutePath().toString());
    }
    initParameters.forEach(webapp::setInitParameter);
    webapp.setThrowUnavailableOnStartupException(true);
    webapp.setTempDirectory(Files.createTempDirectory("portcullis-webapp").toFile());
    jetty.setHandler(webapp);
    List<String> startupLog;
    try (LogCapture log = LogCapture.start()) {
      try {
        jetty.start();
      } catch (Exception e) {
        jetty.stop();
        throw e;
      }
      startupLog = log.lines();
    }
    int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    String base = "http://127.0.0.1:" + port + ("/".equals(contextPath) ? "" : contextPath);
    running = new Running(jetty, webapp, base, startupLog, configFile);
  }

  private Running running() {
    if (running == null) {
      throw new IllegalStateException("the Portcullis server at context " + contextPath + " is not running:"
          + " as an extension it runs from its test class's @BeforeAll to its @AfterAll, and only when registered"
          + " with @RegisterExtension on a static field; PortcullisServer.start(...) starts one at once");
    }
    return running;
  }

  /** The running webapp (the load benchmark mounts a replaying servlet in one, issue 12). */
  public WebAppContext webapp() {
    return running().webapp();
  }

  /** {@code http://127.0.0.1:port/context} without a trailing slash. */
  public String baseUrl() {
    return running().baseUrl();
  }

  public int port() {
    return java.net.URI.create(baseUrl()).getPort();
  }

  /** The context path as the server sees it: {@code ""} for the root context. */
  public String contextPath() {
    return java.net.URI.create(baseUrl()).getRawPath();
  }

  public String url(String path) {
    return baseUrl() + path;
  }

  public boolean isAvailable() {
    return running().webapp().isAvailable();
  }

  /** Each record logged while the WAR started, formatted as {@link LogCapture#lines()} does. */
  public List<String> startupLog() {
    return running().startupLog();
  }

  /** The config file the running server was started with ({@code null} for none): tests edit it. */
  public Path configFile() {
    return running().configFile();
  }

  /** Stops the server; stopping one that is not running does nothing. */
  @Override
  public void close() throws Exception {
    if (running != null) {
      Server jetty = running.jetty();
      running = null;
      jetty.stop();
    }
  }

  /** Writes a config file into {@code dir} and returns its path. */
  public static Path writeConfig(Path dir, String json) throws IOException {
    Path file = dir.resolve("portcullis.json");
    Files.writeString(file, json);
    return file;
  }
}
