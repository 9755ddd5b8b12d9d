package io.portcullis.web;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The generation in force, and config hot reload: the config file is read every
 * {@link #POLL} (a second), and when its content has changed and the new version is valid, a new
 * {@link Generation} is built from it and swapped in whole. An invalid version is refused with
 * the same messages as at start-up, logged and counted; the generation in force stays.
 *
 * <p>Polled rather than watched: {@code WatchService} misses a file replaced through a symlink
 * (a Kubernetes ConfigMap), and on some file systems changes altogether. Content is compared,
 * not modification times, whose granularity can hide two edits within one second.
 *
 * <p>Some settings are read once: the store (its connections and entries), the operations path
 * (where the container mapped the endpoints). A version that changes them is refused as a whole
 * — the log says a restart applies it — so that nothing applies halfway.
 */
final class ConfigReloads implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ConfigReloads.class.getName());

  static final Duration POLL = Duration.ofSeconds(1);

  /** Builds a generation of a config. */
  interface Builder {
    Generation build(PortcullisConfig config, long number) throws ServletException;
  }

  private final Path file;
  private final Builder builder;
  private final Predicate<PortcullisConfig> sameFixedSettings;
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile byte[] lastSeen;
  private Thread poller;

  /**
   * @param first the generation built from the config read at start-up, from {@code file}
   * @param sameFixedSettings whether a new config keeps the settings that need a restart
   */
  ConfigReloads(Path file, Generation first, Builder builder, Predicate<PortcullisConfig> sameFixedSettings) {
    this.file = file;
    this.builder = builder;
    this.sameFixedSettings = sameFixedSettings;
    this.current.set(first);
    this.lastSeen = digest(read());
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
    poller = new Thread(this::poll, "portcullis-config-reload");
    poller.setDaemon(true);
    poller.start();
  }

  private void poll() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      try {
        check();
      } catch (RuntimeException e) {
        // Never let the poller die: a reload failure must not end all later reloads.
        refused.incrementAndGet();
        LOG.log(Level.ERROR, "config reload of " + file + " failed: " + e);
      }
    }
  }

  /** Reloads if the file's content has changed since last seen; returns whether it applied. */
  synchronized boolean check() {
    byte[] content = read();
    byte[] seen = digest(content);
    if (Arrays.equals(seen, lastSeen)) {
      return false;
    }
    lastSeen = seen;
    if (content == null) {
      refuse("the file cannot be read");
      return false;
    }
    PortcullisConfig config;
    try {
      config = ConfigLoader.load(file, content); // the bytes compared, not a second read
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

  private byte[] read() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static byte[] digest(byte[] content) {
    if (content == null) {
      return new byte[0];
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.interrupt();
      try {
        poller.join(POLL.toMillis() * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
