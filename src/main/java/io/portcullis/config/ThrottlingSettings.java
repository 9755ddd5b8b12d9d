package io.portcullis.config;

import java.time.Duration;

/**
 * {@code "throttling"}: how many failed passwords and client secrets are allowed per username, per
 * remote address and per client id within {@code window}, and how many password hashes may be
 * computed at once. Over a limit, requests are answered 429 without checking the password or
 * secret at all (RFC 6749 §10.10); every limit lifts when its window closes.
 *
 * @param concurrentPasswordChecks slow password hashes (PBKDF2, a container realm) computed at
 *                                 once, so that guessing cannot take every core from token checks
 */
public record ThrottlingSettings(Duration window, int userFailures, int addressFailures, int clientFailures,
    int concurrentPasswordChecks) {

  public static ThrottlingSettings defaults() {
    return new ThrottlingSettings(Duration.ofSeconds(300), 10, 100, 20, defaultConcurrentPasswordChecks());
  }

  /** One per core, leaving one core on larger machines for everything else. */
  static int defaultConcurrentPasswordChecks() {
    int cores = Runtime.getRuntime().availableProcessors();
    return Math.max(1, cores <= 2 ? cores : cores - 1);
  }
}
