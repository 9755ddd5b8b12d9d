package io.portcullis.web;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GuardConfig;
import io.portcullis.config.GuardConfigLoader;
import io.portcullis.store.AccessTokenLookup;
import io.portcullis.store.RemoteIntrospection;
import io.portcullis.store.TokenStore;
import io.portcullis.store.TokenStores;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;

/**
 * The guard plugin ({@code portcullis-guard.jar}): a webapp that has the jar in
 * {@code WEB-INF/lib} is guarded without a change of its own. It loads the guard config (found
 * like the WAR's: context init-parameter, system property {@code portcullis.config}, environment
 * {@code PORTCULLIS_CONFIG}) and puts the bearer filter in front of every path of the webapp.
 * Tokens are checked in the Portcullis nodes' shared Redis or at a node's introspection endpoint.
 *
 * <p>The jar installs it two ways, and whichever runs first does it, once:
 * <ul>
 *   <li>as a {@link ServletContainerInitializer} ({@code META-INF/services}): it runs before any
 *       listener of the webapp, so its filter goes ahead of every filter the webapp declares or
 *       adds from code; the jar's web fragment orders it before the others. Containers run these
 *       also for a {@code metadata-complete} webapp — Jetty only with its annotations module;
 *   <li>as a listener in the jar's {@code META-INF/web-fragment.xml}, for containers that read
 *       fragments but run no initializers from webapp jars (Jetty without annotations).
 * </ul>
 *
 * <p>Fails closed: with no config, or an invalid one, the host webapp does not start — it is
 * never left running unguarded.
 */
public final class GuardBootstrap implements ServletContainerInitializer, ServletContextListener {

  private static final System.Logger LOG = System.getLogger(GuardBootstrap.class.getName());
  /** The context attribute that marks a webapp guarded; its value closes the token source. */
  static final String INSTALLED = "io.portcullis.guard";

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) {
    install(context);
    context.addListener(this); // for contextDestroyed
  }

  @Override
  public void contextInitialized(ServletContextEvent event) {
    install(event.getServletContext());
  }

  private static synchronized void install(ServletContext context) {
    if (context.getAttribute(INSTALLED) != null) {
      return;
    }
    Path file = configFile(context);
    byte[] content;
    GuardConfig config;
    try {
      content = ConfigLoader.read(file); // once: hot reload compares later versions with these bytes
      config = GuardConfigLoader.load(file, content);
    } catch (ConfigException e) {
      throw fail("Portcullis guard: " + e.getMessage());
    }
    Clock clock = Clock.systemUTC();
    AccessTokenLookup tokens;
    AutoCloseable lookup;
    if (config.store().isPresent()) {
      TokenStore store;
      try {
        store = TokenStores.open(config.store().get(), clock, System::getenv);
      } catch (IllegalStateException e) { // a passwordEnv that names no variable
        throw stopped(context, config, e);
      }
      lookup = store::close;
      tokens = TokenStores.bearerLookup(config.store().get(), store, clock);
    } else {
      RemoteIntrospection remote;
      try {
        remote = new RemoteIntrospection(config.introspection().get(), clock, System::getenv);
      } catch (IllegalStateException e) { // a clientSecretEnv that names no variable
        throw stopped(context, config, e);
      }
      lookup = remote;
      tokens = remote;
    }
    GuardReloads reloads = new GuardReloads(file, content, config, tokens);
    FilterRegistration.Dynamic filter = context.addFilter("portcullis-guard", reloads);
    filter.setAsyncSupported(true);
    // Before the webapp's own filters (isMatchAfter false): nothing of it runs for a refused request.
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    AutoCloseable source = lookup;
    context.setAttribute(INSTALLED, (AutoCloseable) () -> {
      reloads.close();
      source.close();
    });

    for (String warning : config.warnings()) {
      LOG.log(Level.WARNING, "Portcullis guard config " + config.source() + ": " + warning);
    }
    LOG.log(Level.INFO, String.format("Portcullis guard protects context '%s' with config %s: %d route(s), "
        + "tokens checked in %s; the config file is read again every second and a valid change applies",
        context.getContextPath(), config.source(), config.routes().size(), config.describeTokenSource()));
    reloads.start();
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    AutoCloseable lookup;
    synchronized (GuardBootstrap.class) {
      lookup = (AutoCloseable) context.getAttribute(INSTALLED);
      context.removeAttribute(INSTALLED);
    }
    if (lookup != null) {
      try {
        lookup.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "Portcullis guard: closing the token source failed: " + e);
      }
    }
  }

  private static Path configFile(ServletContext context) {
    String location = ConfigLoader.locate(context.getInitParameter(ConfigLoader.CONFIG_PROPERTY),
            System::getProperty, System::getenv)
        .orElseThrow(() -> fail("The Portcullis guard in context '" + context.getContextPath() + "' has no "
            + "configuration, so the webapp stays stopped rather than unguarded: set the context init-parameter "
            + "or system property " + ConfigLoader.CONFIG_PROPERTY + ", or the environment variable "
            + ConfigLoader.CONFIG_ENV + ", to the path of its JSON config file"));
    try {
      return Path.of(location);
    } catch (java.nio.file.InvalidPathException e) {
      throw fail("invalid Portcullis guard configuration " + location + ": not a valid file path");
    }
  }


  private static IllegalStateException stopped(ServletContext context, GuardConfig config, IllegalStateException e) {
    return fail("The Portcullis guard in context '" + context.getContextPath() + "' stays stopped: config "
        + config.source() + ": " + e.getMessage());
  }

  private static IllegalStateException fail(String message) {
    LOG.log(Level.ERROR, message);
    return new IllegalStateException(message);
  }
}
