package io.portcullis.web;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import jakarta.servlet.ServletException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The generation in force, and config hot reload: the config file is read every second
 * ({@link PolledFile}), and when its content has changed and the new version is valid, a new
 * {@link Generation} is built from it and swapped in whole. An invalid version is refused with
 * the same messages as at start-up, logged and counted; the generation in force stays.
 *
 * <p>Some settings are read once: the store (its connections and entries), the operations path
 * (where the container mapped the endpoints). A version that changes them is refused as a whole
 * — the log says a restart applies it — so that nothing applies halfway.
 */
final class ConfigReloads implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ConfigReloads.class.getName());

  /** Builds a generation of a config. */
  interface Builder {
    Generation build(PortcullisConfig config, long number) throws ServletException;
  }

  private final Builder builder;
  private final Predicate<PortcullisConfig> sameFixedSettings;
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final PolledFile file;

  /**
   * @param inForce the bytes of {@code file} that {@code first} was built from
   * @param first the generation built from the config read at start-up, from {@code file}
   * @param sameFixedSettings whether a new config keeps the settings that need a restart
   */
  ConfigReloads(Path file, byte[] inForce, Generation first, Builder builder,
      Predicate<PortcullisConfig> sameFixedSettings) {
    this.builder = builder;
    this.sameFixedSettings = sameFixedSettings;
    this.current.set(first);
    this.file = new PolledFile(file, inForce, "portcullis-config-reload", this::apply, refused::incrementAndGet);
  }

  Generation current() {
    return current.get();
  }

  /** Reloads that applied since start-up. */
  long applied() {
    return applied.get();
  }

  /** Versions refused since start-up (invalid, unreadable, or changing what needs a restart). */
  long refused() {
    return refused.get();
  }

  /** Starts polling the file on a daemon thread of its own. */
  void start() {
    file.start();
  }

  /** Reloads if the file's content has changed since last seen; returns whether it applied. */
  boolean check() {
    return file.check();
  }

  private boolean apply(byte[] content) {
    if (content == null) {
      refuse(file.unreadable());
      return false;
    }
    PortcullisConfig config;
    try {
      config = ConfigLoader.load(file.file(), content); // the bytes compared, not a second read
    } catch (ConfigException e) {
      refuse(e.getMessage());
      return false;
    }
    if (!sameFixedSettings.test(config)) {
      refuse("it changes \"store\" or \"operations.path\", which apply only at a restart; nothing of it applied");
      return false;
    }
    Generation next;
    try {
      next = builder.build(config, current.get().number() + 1);
    } catch (ServletException | RuntimeException e) {
      refuse("it could not be put in force: " + e);
      return false;
    }
    current.set(next);
    applied.incrementAndGet();
    for (String warning : config.warnings()) {
      LOG.log(Level.WARNING, "Portcullis config " + config.source() + ": " + warning);
    }
    LOG.log(Level.INFO, String.format("Portcullis config %s reloaded (version %d): %d client(s), %d user(s), "
        + "%d route(s)", config.source(), next.number(), config.clients().size(), config.users().size(),
        config.routes().size()));
    return true;
  }

  private void refuse(String why) {
    refused.incrementAndGet();
    LOG.log(Level.ERROR, "config reload refused, the version in force stays: " + why);
  }

  @Override
  public void close() {
    file.close();
  }
}
