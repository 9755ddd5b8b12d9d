package io.portcullis.web;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A config file read every {@link #POLL} (a second): when its content has changed, the new bytes
 * go to {@link Change#apply}. What hot reload of the WAR ({@link ConfigReloads}) and of the guard
 * ({@link GuardReloads}) have in common.
 *
 * <p>Polled rather than watched: {@code WatchService} misses a file replaced through a symlink
 * (a Kubernetes ConfigMap), and on some file systems changes altogether. Content is compared,
 * not modification times, whose granularity can hide two edits within one second.
 */
final class PolledFile implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(PolledFile.class.getName());

  static final Duration POLL = Duration.ofSeconds(1);

  /** What to do with new content. */
  interface Change {
    /**
     * @param content the file's bytes, or null when it cannot be read
     * @return whether the new version applied
     */
    boolean apply(byte[] content);
  }

  private final Path file;
  private final String threadName;
  private final Change change;
  private final Runnable failed;
  private byte[] lastSeen;
  /** The digest of the version in force: what the file comes back to after a refused edit is no new version. */
  private byte[] inForce;
  private Thread poller;

  /**
   * @param inForce the content the version in force was built from, read once at start-up: a
   *                change made after that read is a change, also while the webapp was starting
   * @param failed  called when {@code change} throws: the poller logs it and goes on
   */
  PolledFile(Path file, byte[] inForce, String threadName, Change change, Runnable failed) {
    this.file = file;
    this.threadName = threadName;
    this.change = change;
    this.failed = failed;
    this.lastSeen = digest(inForce);
    this.inForce = this.lastSeen;
  }

  Path file() {
    return file;
  }

  /** Why a version that cannot be read is refused, naming the file. */
  String unreadable() {
    return file.toAbsolutePath() + " cannot be read (missing, or not readable by the container)";
  }

  /** Starts polling the file on a daemon thread of its own. */
  void start() {
    poller = new Thread(this::poll, threadName);
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
        failed.run();
        LOG.log(Level.ERROR, "config reload of " + file + " failed: " + e);
      }
    }
  }

  /** Hands the content on if it has changed since last seen; returns whether the new version applied. */
  synchronized boolean check() {
    byte[] content = read();
    if (Thread.currentThread().isInterrupted()) {
      return false; // closing: a read cut short by the interrupt is no new version
    }
    byte[] seen = digest(content);
    if (Arrays.equals(seen, lastSeen)) {
      return false;
    }
    lastSeen = seen;
    if (Arrays.equals(seen, inForce)) {
      LOG.log(Level.INFO, "config " + file + " is back to the version in force; nothing to reload");
      return false;
    }
    boolean applied = change.apply(content);
    if (applied) {
      inForce = seen;
    }
    return applied;
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
