package io.portcullis.web;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.oauth.Audit;
import io.portcullis.oauth.AuthorizeService;
import io.portcullis.oauth.BearerTokenValidator;
import io.portcullis.oauth.ClientAuthenticator;
import io.portcullis.oauth.RandomValues;
import io.portcullis.oauth.Throttle;
import io.portcullis.oauth.TokenService;
import io.portcullis.oauth.IntrospectionService;
import io.portcullis.oauth.RevocationService;
import io.portcullis.config.ClientRegistration;
import io.portcullis.oauth.ConfigUsers;
import io.portcullis.store.TokenStores;
import io.portcullis.store.TokenStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Wires Portcullis by hand: loads and validates the config, builds the store and the protocol
 * services with {@code new}, and registers the servlets and the bearer filter. Declared in the
 * WAR's {@code web.xml}; another webapp that uses the classes jar declares it in its own.
 *
 * <p>A missing or invalid config stops the webapp from starting: the error names the file, the
 * JSON path and the problem, and nothing half-configured ever answers a request.
 */
public final class PortcullisBootstrap implements ServletContextListener {

  private static final System.Logger LOG = System.getLogger(PortcullisBootstrap.class.getName());

  private TokenStore store;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    PortcullisConfig config = loadConfig(context);
    Clock clock = Clock.systemUTC();
    store = TokenStores.open(config.store(), clock, System::getenv);
    RandomValues random = new RandomValues();
    Responses responses = new Responses(config.realm(), config.scopeDescriptions());

    Issuer issuer = new Issuer(config);
    Throttle throttle = new Throttle(config.throttling(), store, clock);
    Audit audit = new Audit(clock);
    ClientAuthenticator clients = new ClientAuthenticator(config, throttle, audit);
    AuthorizeService authorize = new AuthorizeService(config, store, new ConfigUsers(config), random, clock,
        throttle, audit);
    TokenService token = new TokenService(config, store, clients, random, clock, audit);
    IntrospectionService introspection = new IntrospectionService(store, clients);
    RevocationService revocation = new RevocationService(store, clients, clock, config.longestTokenLifetime(),
        audit);
    BearerTokenValidator bearer = new BearerTokenValidator(config, TokenStores.bearerLookup(config.store(), store, clock));

    Duration bodyTimeout = config.transport().requestBodyTimeout();
    addServlet(context, "portcullis-authorize", new AuthorizeServlet(authorize, responses,
        config.usesContainerUsers() ? config.approverRole() : null, issuer, bodyTimeout), AuthorizeServlet.PATH);
    addServlet(context, "portcullis-token", new TokenServlet(token, responses, ClientRegistration.GRANT_TYPES,
        bodyTimeout), TokenServlet.PATH);
    addServlet(context, "portcullis-refresh", new TokenServlet(token, responses,
        Set.of(ClientRegistration.REFRESH_TOKEN), bodyTimeout), TokenServlet.REFRESH_PATH);
    addServlet(context, "portcullis-introspect", new IntrospectionServlet(introspection, responses, issuer,
        bodyTimeout), IntrospectionServlet.PATH, IntrospectionServlet.WEBMETHODS_PATH);
    addServlet(context, "portcullis-revoke", new RevocationServlet(revocation, responses, bodyTimeout),
        RevocationServlet.PATH, RevocationServlet.WEBMETHODS_PATH);
    addServlet(context, "portcullis-metadata", new MetadataServlet(config, issuer), MetadataServlet.PATH);
    if (isStandaloneWar(context)) {
      addServlet(context, "portcullis-routes", new RouteEchoServlet(), "/");
    }
    // Who is calling and over what, before anything looks at a credential.
    FilterRegistration.Dynamic transport = context.addFilter("portcullis-transport",
        new TransportSecurityFilter(config.transport(), responses,
            path -> MetadataServlet.PATH.equals(path) || config.routeFor(path).map(r -> r.isPublic()).orElse(false),
            Set.of(TokenServlet.PATH, TokenServlet.REFRESH_PATH, IntrospectionServlet.PATH,
                IntrospectionServlet.WEBMETHODS_PATH, RevocationServlet.PATH, RevocationServlet.WEBMETHODS_PATH)));
    transport.setAsyncSupported(true);
    transport.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    FilterRegistration.Dynamic filter = context.addFilter("portcullis-bearer",
        new BearerTokenFilter(bearer, new BearerChallenge(config.realm()), Set.of(AuthorizeServlet.PATH, TokenServlet.PATH,
            TokenServlet.REFRESH_PATH, IntrospectionServlet.PATH, IntrospectionServlet.WEBMETHODS_PATH,
            RevocationServlet.PATH, RevocationServlet.WEBMETHODS_PATH, MetadataServlet.PATH)));
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");

    for (String warning : config.warnings()) {
      LOG.log(Level.WARNING, "Portcullis config " + config.source() + ": " + warning);
    }
    LOG.log(Level.INFO, String.format(
        "Portcullis started at context '%s' with config %s: %d client(s), %s, %d route(s), store %s",
        context.getContextPath(), config.source(), config.clients().size(),
        config.usesContainerUsers() ? "container users with role " + config.approverRole()
            : config.users().size() + " user(s)",
        config.routes().size(), config.store().type()));
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    if (store != null) {
      store.close();
    }
  }

  private static PortcullisConfig loadConfig(ServletContext context) {
    String location = ConfigLoader.locate(context.getInitParameter(ConfigLoader.CONFIG_PROPERTY),
            System::getProperty, System::getenv)
        .orElseThrow(() -> fail("Portcullis has no configuration: set the context init-parameter or system "
            + "property " + ConfigLoader.CONFIG_PROPERTY + ", or the environment variable "
            + ConfigLoader.CONFIG_ENV + ", to the path of its JSON config file"));
    try {
      return ConfigLoader.load(Path.of(location));
    } catch (ConfigException e) {
      throw fail(e.getMessage());
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

  private static void addServlet(ServletContext context, String name, jakarta.servlet.Servlet servlet,
      String... paths) {
    ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
    registration.addMapping(paths);
    registration.setLoadOnStartup(1);
    // Bodies are read with non-blocking IO (BodyReader): a slow client holds no thread.
    registration.setAsyncSupported(true);
  }
}
