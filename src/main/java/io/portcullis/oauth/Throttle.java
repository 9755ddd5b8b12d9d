package io.portcullis.oauth;

import io.portcullis.config.ThrottlingSettings;
import io.portcullis.store.FailureCount;
import io.portcullis.store.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * RFC 6749 §10.10: guessing passwords and client secrets is bounded. Failures are counted per
 * username (known or unknown alike, so a lockout tells nothing of which accounts exist), per
 * remote address and per client id, each in a window that opens with its first failure; over a
 * limit the answer is 429 with {@code Retry-After}, and the password or secret is not checked at
 * all. The counters live in the {@link TokenStore}, so every node sharing a store shares them.
 *
 * <p>A password is counted before it is checked and forgiven if it was right, so parallel
 * attempts cannot all slip under a user's limit. A client secret is counted after a failed check:
 * its answer is then a 401 only while the count is within the limit (a burst gets no more 401s
 * than the limit), and legitimate parallel requests of a busy client never count at all. Slow
 * hashes wait for one of a few permits, so guessing cannot take every core from token checks.
 */
public final class Throttle {

  /** The remote address of calls that come with none (tools, tests): counted as one more address. */
  public static final String UNKNOWN_ADDRESS = "unknown";

  /** How long a password check waits for a hashing permit before the answer is 503. */
  static final Duration HASHING_WAIT = Duration.ofSeconds(10);

  private final ThrottlingSettings settings;
  private final TokenStore store;
  private final Clock clock;
  private final Semaphore hashing;

  public Throttle(ThrottlingSettings settings, TokenStore store, Clock clock) {
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.hashing = new Semaphore(settings.concurrentPasswordChecks(), true);
  }

  public ThrottlingSettings settings() {
    return settings;
  }

  // ---- users (the approval page) ----

  /**
   * Counts a password attempt for {@code username} from {@code address} before it is checked.
   *
   * @throws OAuthException 429 when either is over its limit: the password must not be checked
   */
  public void admitPassword(String username, String address) {
    FailureCount user = store.recordFailure(userKey(username), settings.window());
    FailureCount from = store.recordFailure(addressKey(address), settings.window());
    Instant until = later(user.count() > settings.userFailures() ? user.windowEnds() : null,
        from.count() > settings.addressFailures() ? from.windowEnds() : null);
    if (until != null) {
      // Refused unchecked, so not a failure: taken back, or an attacker hammering one locked
      // username would lock everyone else at the same address too.
      passwordAccepted(username, address);
      throw OAuthException.tooManyAttempts("too many failed sign-ins; try again in " + secondsUntil(until)
          + " seconds", secondsUntil(until));
    }
  }

  /** The password admitted by {@link #admitPassword} was right: its attempt is not a failure. */
  public void passwordAccepted(String username, String address) {
    store.forgetFailure(userKey(username));
    store.forgetFailure(addressKey(address));
  }

  // ---- clients (token, introspection, revocation) ----

  /**
   * @throws OAuthException 429 when the client id or the address is over its limit: the secret
   *                        must not be checked
   */
  public void checkClient(String clientId, String address) {
    FailureCount client = clientId == null ? FailureCount.NONE : store.failures(clientKey(clientId));
    FailureCount from = store.failures(addressKey(address));
    Instant until = later(client.count() >= settings.clientFailures() ? client.windowEnds() : null,
        from.count() >= settings.addressFailures() ? from.windowEnds() : null);
    if (until != null) {
      throw clientLocked(until);
    }
  }

  /**
   * Counts a failed client authentication.
   *
   * @throws OAuthException 429 instead of the 401 when this failure is over a limit
   */
  public void clientFailed(String clientId, String address) {
    FailureCount client = clientId == null ? FailureCount.NONE
        : store.recordFailure(clientKey(clientId), settings.window());
    FailureCount from = store.recordFailure(addressKey(address), settings.window());
    Instant until = later(client.count() > settings.clientFailures() ? client.windowEnds() : null,
        from.count() > settings.addressFailures() ? from.windowEnds() : null);
    if (until != null) {
      throw clientLocked(until);
    }
  }

  // ---- slow hashes ----

  /** Runs a slow password or secret check with one of the few hashing permits. */
  public <T> T hashing(java.util.function.Supplier<T> check) {
    try {
      if (!hashing.tryAcquire(HASHING_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw OAuthException.temporarilyUnavailable(
            "the server is busy checking passwords; try again in a moment");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OAuthException.temporarilyUnavailable("the server is shutting down; try again in a moment");
    }
    try {
      return check.get();
    } finally {
      hashing.release();
    }
  }

  private OAuthException clientLocked(Instant until) {
    return OAuthException.tooManyAttempts("too many failed client authentications; try again in "
        + secondsUntil(until) + " seconds", secondsUntil(until));
  }

  private long secondsUntil(Instant until) {
    long millis = Duration.between(clock.instant(), until).toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  private static Instant later(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }

  static String userKey(String username) {
    return "user:" + username;
  }

  static String addressKey(String address) {
    return "address:" + address;
  }

  static String clientKey(String clientId) {
    return "client:" + clientId;
  }
}
