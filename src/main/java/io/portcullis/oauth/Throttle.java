package io.portcullis.oauth;

import io.portcullis.config.Cidr;
import io.portcullis.config.ThrottlingSettings;
import io.portcullis.store.FailureCount;
import io.portcullis.store.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RFC 6749 §10.10: guessing passwords and client secrets is bounded. An attempt is counted before
 * the password or secret is checked — against the username (or client id) from this address,
 * against that username (or client id) from everywhere, and against the address — and taken back
 * when it turns out right; over any limit the answer is 429 with {@code Retry-After} and nothing
 * is checked. So parallel guesses never get more checks than the limit, and the right one among
 * them gets the answer a wrong one gets.
 *
 * <ul>
 *   <li>per username and address: {@code userFailures} (10); per client id and address:
 *       {@code clientFailures} (20) — a guesser is stopped quickly;
 *   <li>per username, per client id from all addresses: ten times as many — guessing spread over
 *       many addresses is bounded too, and locking an account out costs an attacker addresses:
 *       from one address it cannot be done;
 *   <li>per address: {@code addressFailures} (100), across all usernames and clients.
 * </ul>
 * Usernames are compared case-folded (container realms often ignore case), unknown ones counted
 * alike (a lockout reveals no account). Addresses are compared as addresses: an IPv4-mapped IPv6
 * address is its IPv4 address, and an IPv6 address counts for its /64, which one client usually
 * holds whole. Every window opens with its first failure and closes {@code windowSeconds} later.
 * The counters live in the {@link TokenStore}, shared by every node that shares it.
 *
 * <p>Slow hashes (PBKDF2, a container realm) take one of {@code concurrentPasswordChecks} permits;
 * a few more may wait a moment for one, everyone beyond that is answered 503 at once, so that
 * guessing holds neither the cores nor the container's threads.
 */
public final class Throttle {

  /** The remote address of calls that come with none (tools, tests): counted as one more address. */
  public static final String UNKNOWN_ADDRESS = "unknown";

  /** Across all addresses, an account gets this many times its per-address limit. */
  static final int ALL_ADDRESSES_FACTOR = 10;
  /** How long a check waits for a hashing permit before the answer is 503. */
  static final Duration HASHING_WAIT = Duration.ofSeconds(2);

  private final ThrottlingSettings settings;
  private final TokenStore store;
  private final Clock clock;
  private final Semaphore hashing;
  private final AtomicInteger waiting = new AtomicInteger();
  private final int maxWaiting;

  public Throttle(ThrottlingSettings settings, TokenStore store, Clock clock) {
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.hashing = new Semaphore(settings.concurrentPasswordChecks(), true);
    this.maxWaiting = 4 * settings.concurrentPasswordChecks();
  }

  public ThrottlingSettings settings() {
    return settings;
  }

  /** An admitted attempt: it stays counted as a failure unless {@link #forget()} takes it back. */
  public final class Attempt {
    private final List<String> keys;

    private Attempt(List<String> keys) {
      this.keys = keys;
    }

    /** The password or secret was right, or was never checked: not a failure. */
    public void forget() {
      keys.forEach(store::forgetFailure);
    }
  }

  /**
   * Counts a password attempt for {@code username} from {@code address}, before it is checked.
   *
   * @throws OAuthException 429 when over a limit: the password must not be checked
   */
  public Attempt admitPassword(String username, String address) {
    String user = "user:" + username.strip().toLowerCase(Locale.ROOT);
    return admit(user, settings.userFailures(), address, "too many failed sign-ins");
  }

  /**
   * Counts a client-secret attempt for {@code clientId} from {@code address}, before it is
   * checked. (A public client has no secret to guess: its requests are not counted.)
   *
   * @throws OAuthException 429 when over a limit: the secret must not be checked
   */
  public Attempt admitClient(String clientId, String address) {
    return admit("client:" + clientId, settings.clientFailures(), address, "too many failed client authentications");
  }

  private Attempt admit(String subject, int limit, String address, String what) {
    String from = addressKey(address);
    List<String> keys = List.of(subject + "@" + from, subject, from);
    int[] limits = {limit, limit * ALL_ADDRESSES_FACTOR, settings.addressFailures()};
    Instant until = null;
    for (int i = 0; i < keys.size(); i++) {
      FailureCount count = store.recordFailure(keys.get(i), settings.window());
      if (count.count() > limits[i]) {
        until = until == null || count.windowEnds().isAfter(until) ? count.windowEnds() : until;
      }
    }
    Attempt attempt = new Attempt(keys);
    if (until != null) {
      // Refused unchecked, so not a failure: taken back, or an attacker hammering one locked
      // account would lock everyone else at the same address too.
      attempt.forget();
      long seconds = secondsUntil(until);
      throw OAuthException.tooManyAttempts(what + "; try again in " + seconds + " seconds", seconds);
    }
    return attempt;
  }

  // ---- slow hashes ----

  /** Runs a slow password or secret check with one of the few hashing permits. */
  public <T> T hashing(java.util.function.Supplier<T> check) {
    if (waiting.incrementAndGet() > maxWaiting) {
      waiting.decrementAndGet();
      throw busy();
    }
    boolean permitted;
    try {
      permitted = hashing.tryAcquire(HASHING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      permitted = false;
    } finally {
      waiting.decrementAndGet();
    }
    if (!permitted) {
      throw busy();
    }
    try {
      return check.get();
    } finally {
      hashing.release();
    }
  }

  private static OAuthException busy() {
    return OAuthException.of("temporarily_unavailable", 503,
        "the server is busy checking passwords; try again in a moment");
  }

  private long secondsUntil(Instant until) {
    long millis = Duration.between(clock.instant(), until).toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  /**
   * An address as a counter key: its bytes, an IPv4-mapped IPv6 address as IPv4, an IPv6 address
   * as its /64 — so other spellings of one address, or the other addresses of one IPv6 client,
   * count together.
   */
  static String addressKey(String address) {
    try {
      Cidr block = Cidr.parse(address.length() > 45 ? "x" : address);
      byte[] bytes = block.network();
      return "address:" + (bytes.length == 16 ? Cidr.parse(address + "/64") : block);
    } catch (IllegalArgumentException notAnAddress) {
      return "address:" + address;
    }
  }
}
