package io.portcullis.web;

import io.portcullis.config.ConfigException;
import io.portcullis.config.GuardConfig;
import io.portcullis.config.GuardConfigLoader;
import io.portcullis.oauth.BearerTokenValidator;
import io.portcullis.store.AccessTokenLookup;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The guard's filter, and its config hot reload, as the nodes have it: the file is read every
 * second ({@link PolledFile}), and a valid new version puts a new bearer filter in force — its
 * routes, realm and, where the file lists clients (the nodes' own file), the clients whose tokens
 * pass. So a client taken out of the nodes' file is refused by the guard within a second too. An
 * invalid version is refused and logged; the one in force stays. Where tokens are checked
 * ({@code store}, {@code introspection}) is read once: a version that changes it is refused, and a
 * restart applies it.
 */
final class GuardReloads extends HttpFilter implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(GuardReloads.class.getName());

  private final transient AccessTokenLookup tokens;
  private final transient GuardConfig first;
  private final transient AtomicReference<BearerTokenFilter> current = new AtomicReference<>();
  private final transient AtomicLong applied = new AtomicLong();
  private final transient AtomicLong refused = new AtomicLong();
  private final transient PolledFile file;

  /** @param inForce the bytes of {@code file} that {@code config} was read from */
  GuardReloads(Path file, byte[] inForce, GuardConfig config, AccessTokenLookup tokens) {
    this.tokens = tokens;
    this.first = config;
    this.current.set(filter(config, tokens));
    this.file = new PolledFile(file, inForce, "portcullis-guard-config-reload", this::apply,
        refused::incrementAndGet);
  }

  private static BearerTokenFilter filter(GuardConfig config, AccessTokenLookup tokens) {
    return new BearerTokenFilter(new BearerTokenValidator(config, tokens), new BearerChallenge(config.realm()),
        path -> false);
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    current.get().doFilter(request, response, chain);
  }

  /** Starts polling the file on a daemon thread of its own. */
  void start() {
    file.start();
  }

  /** Reloads if the file's content has changed since last seen; returns whether it applied. */
  boolean check() {
    return file.check();
  }

  long applied() {
    return applied.get();
  }

  long refused() {
    return refused.get();
  }

  private boolean apply(byte[] content) {
    if (content == null) {
      return refuse(file.unreadable());
    }
    GuardConfig config;
    try {
      config = GuardConfigLoader.load(file.file(), content); // the bytes compared, not a second read
    } catch (ConfigException e) {
      return refuse(e.getMessage());
    }
    if (!config.store().equals(first.store()) || !config.introspection().equals(first.introspection())) {
      return refuse("it changes \"store\" or \"introspection\", which apply only at a restart; nothing of it applied");
    }
    current.set(filter(config, tokens));
    applied.incrementAndGet();
    for (String warning : config.warnings()) {
      LOG.log(Level.WARNING, "Portcullis guard config " + config.source() + ": " + warning);
    }
    LOG.log(Level.INFO, String.format("Portcullis guard config %s reloaded: %d route(s)%s", config.source(),
        config.routes().size(), config.clientIds().map(ids -> ", tokens of " + ids.size() + " client(s)").orElse("")));
    return true;
  }

  private boolean refuse(String why) {
    refused.incrementAndGet();
    LOG.log(Level.ERROR, "Portcullis guard config reload refused, the version in force stays: " + why);
    return false;
  }

  @Override
  public void close() {
    file.close();
  }
}
