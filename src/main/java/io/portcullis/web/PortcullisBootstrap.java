package io.portcullis.web;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.oauth.Audit;
import io.portcullis.oauth.RandomValues;
import io.portcullis.store.AccessTokenLookup;
import io.portcullis.store.TokenStore;
import io.portcullis.store.TokenStores;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.function.Supplier;

/**
 * Wires Portcullis by hand: loads and validates the config, builds the store once and a
 * {@link Generation} of services, servlets and filters per version of the config, and registers
 * switches that pass each request to the generation in force ({@link ConfigReloads}). Declared in the
 * WAR's {@code web.xml}; another webapp that uses the classes jar declares it in its own.
 *
 * <p>A missing or invalid config stops the webapp from starting: the error names the file, the
 * JSON path and the problem, and nothing half-configured ever answers a request.
 */
public final class PortcullisBootstrap implements ServletContextListener {

  private static final System.Logger LOG = System.getLogger(PortcullisBootstrap.class.getName());

  private TokenStore store;
  private ConfigReloads reloads;
  private PortcullisMetrics metrics;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    Path file = configFile(context);
    byte[] content;
    PortcullisConfig config;
    try {
      content = ConfigLoader.read(file); // once: hot reload compares later versions with these bytes
      config = ConfigLoader.load(file, content);
    } catch (ConfigException e) {
      throw fail(e.getMessage());
    }
    Clock clock = Clock.systemUTC();
    // Metrics are on; a deployment may switch them off (init-parameter portcullis.metrics=off) to
    // measure what they cost (docs/benchmarks.md).
    metrics = new PortcullisMetrics(!"off".equals(context.getInitParameter("portcullis.metrics")));
    store = TokenStores.open(config.store(), clock, System::getenv);
    TokenStore timed = metrics.timed(store);
    AccessTokenLookup lookup = TokenStores.bearerLookup(config.store(), store, clock);
    Generation.Shared shared = new Generation.Shared(context, timed, lookup == store ? timed : metrics.timed(lookup),
        clock, new RandomValues(), new Audit(clock, metrics), metrics);
    ConfigReloads.Builder builder = (next, number) -> Generation.build(next, number, shared);
    Generation first;
    try {
      first = builder.build(config, 1);
    } catch (ServletException e) {
      store.close();
      throw fail("Portcullis could not start: " + e);
    }
    reloads = new ConfigReloads(file, content, first, builder, next -> next.store().equals(config.store())
        && next.operations().path().equals(config.operations().path()));
    metrics.reloads(reloads, ConfigReloads::applied, ConfigReloads::refused, r -> r.current().number());
    Supplier<Generation> current = reloads::current;

    addServlet(context, Generation.AUTHORIZE, current, AuthorizeServlet.PATH);
    addServlet(context, Generation.TOKEN, current, TokenServlet.PATH);
    addServlet(context, Generation.REFRESH, current, TokenServlet.REFRESH_PATH);
    addServlet(context, Generation.INTROSPECT, current, IntrospectionServlet.PATH, IntrospectionServlet.WEBMETHODS_PATH);
    addServlet(context, Generation.REVOKE, current, RevocationServlet.PATH, RevocationServlet.WEBMETHODS_PATH);
    addServlet(context, Generation.METADATA, current, MetadataServlet.PATH);
    addServlet(context, Generation.OPERATIONS, current, config.operations().path() + "/*");
    if (isStandaloneWar(context)) {
      ServletRegistration.Dynamic routes = context.addServlet("portcullis-routes", new RouteEchoServlet());
      routes.addMapping("/");
      routes.setAsyncSupported(true);
    }
    // The request's id and config generation first; who is calling and over what, before anything
    // looks at a credential; then the bearer token.
    FilterRegistration.Dynamic ids = context.addFilter("portcullis-request-id", new RequestIdFilter(current));
    ids.setAsyncSupported(true);
    ids.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    addFilter(context, Generation.TRANSPORT, current);
    addFilter(context, Generation.BEARER, current);

    for (String warning : config.warnings()) {
      LOG.log(Level.WARNING, "Portcullis config " + config.source() + ": " + warning);
    }
    LOG.log(Level.INFO, String.format(
        "Portcullis started at context '%s' with config %s: %d client(s), %s, %d route(s), store %s; "
            + "the config file is read again every second and a valid change applies",
        context.getContextPath(), config.source(), config.clients().size(),
        config.usesContainerUsers() ? "container users with role " + config.approverRole()
            : config.users().size() + " user(s)",
        config.routes().size(), config.store().type()));
    reloads.start();
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    if (reloads != null) {
      reloads.close();
    }
    if (store != null) {
      store.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  private static Path configFile(ServletContext context) {
    String location = ConfigLoader.locate(context.getInitParameter(ConfigLoader.CONFIG_PROPERTY),
            System::getProperty, System::getenv)
        .orElseThrow(() -> fail("Portcullis has no configuration: set the context init-parameter or system "
            + "property " + ConfigLoader.CONFIG_PROPERTY + ", or the environment variable "
            + ConfigLoader.CONFIG_ENV + ", to the path of its JSON config file"));
    try {
      return Path.of(location);
    } catch (java.nio.file.InvalidPathException e) {
      throw fail("invalid Portcullis configuration " + location + ": not a valid file path");
    }
  }


  private static IllegalStateException fail(String message) {
    LOG.log(Level.ERROR, message);
    return new IllegalStateException(message);
  }

  /** The stand-alone WAR marks itself with this init-parameter in its web.xml. */
  private static boolean isStandaloneWar(ServletContext context) {
    return "true".equals(context.getInitParameter("portcullis.echoRoutes"));
  }

  private static void addServlet(ServletContext context, String name, Supplier<Generation> current,
      String... paths) {
    ServletRegistration.Dynamic registration = context.addServlet(name, new GenerationSwitch.Servlet(name, current));
    java.util.Set<String> taken = registration.addMapping(paths);
    if (!taken.isEmpty()) {
      // Another servlet of this webapp maps them already: it would answer in Portcullis' place.
      throw fail("Portcullis could not start: " + taken + " already mapped to another servlet of this webapp; "
          + "move it, or choose another operations.path");
    }
    registration.setLoadOnStartup(1);
    // Bodies are read with non-blocking IO (BodyReader): a slow client holds no thread.
    registration.setAsyncSupported(true);
  }

  private static void addFilter(ServletContext context, String name, Supplier<Generation> current) {
    FilterRegistration.Dynamic filter = context.addFilter(name, new GenerationSwitch.Filter(name, current));
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
  }
}
