package io.portcullis.oauth;

import io.portcullis.config.Cidr;
import io.portcullis.config.ThrottlingSettings;
import io.portcullis.store.FailureCount;
import io.portcullis.store.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RFC 6749 §10.10: guessing passwords and client secrets is bounded. An attempt is counted before
 * the password or secret is checked — against the username (or client id) from this address,
 * against that username (or client id) from everywhere, and against the address — and taken back
 * when it turns out right; over any limit the answer is 429 with {@code Retry-After} and nothing
 * is checked. So parallel guesses never get more checks than the limit, and the right one among
 * them gets the answer a wrong one gets. Attempts still being checked only make others wait a
 * moment (see {@link #admit}): a client sending many right secrets at once is never refused.
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

  /** How long an attempt waits, at most, while others' checks crowd a limit (see {@link #admit}). */
  static final Duration CROWDED_WAIT = Duration.ofSeconds(1);
  /** Requests of one node waiting for crowded limits at once; beyond them the answer is 503 at once. */
  static final int MAX_CROWDED_WAITING = 64;

  private final ThrottlingSettings settings;
  private final TokenStore store;
  private final Clock clock;
  private final Semaphore hashing;
  private final AtomicInteger waiting = new AtomicInteger();
  private final int maxWaiting;
  private final Duration crowdedWait;
  private final AtomicInteger crowdedWaiting = new AtomicInteger();

  public Throttle(ThrottlingSettings settings, TokenStore store, Clock clock) {
    this(settings, store, clock, CROWDED_WAIT);
  }

  Throttle(ThrottlingSettings settings, TokenStore store, Clock clock, Duration crowdedWait) {
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.hashing = new Semaphore(settings.concurrentPasswordChecks(), true);
    this.maxWaiting = 4 * settings.concurrentPasswordChecks();
    this.crowdedWait = crowdedWait;
  }

  public ThrottlingSettings settings() {
    return settings;
  }

  /**
   * An admitted attempt, counted and pending until settled: {@link #failed()} keeps it as a
   * failure, {@link #forget()} takes it back.
   */
  public final class Attempt {
    private final List<String> keys = new ArrayList<>(3);
    private final List<Instant> windows = new ArrayList<>(3);

    private void counted(String key, Instant windowEnds) {
      keys.add(key);
      windows.add(windowEnds);
    }

    /** The password or secret was right, or was never checked: not a failure. */
    public void forget() {
      settle(false);
    }

    /** The password or secret was wrong: it stays counted until the window closes. */
    public void failed() {
      settle(true);
    }

    private void settle(boolean failed) {
      for (int i = 0; i < keys.size(); i++) {
        store.settleAttempt(keys.get(i), windows.get(i), failed);
      }
    }
  }

  /**
   * Counts a password attempt for {@code username} from {@code address}, before it is checked.
   *
   * @throws OAuthException 429 when over a limit: the password must not be checked; 503 when
   *     others' attempts kept the limits crowded for too long
   */
  public Attempt admitPassword(String username, String address) {
    String user = "user:" + username.strip().toLowerCase(Locale.ROOT);
    return admit(user, settings.userFailures(), address, "too many failed sign-ins");
  }

  /**
   * Counts a client-secret attempt for {@code clientId} from {@code address}, before it is
   * checked. (A public client has no secret to guess: its requests are not counted.)
   *
   * @throws OAuthException 429 when over a limit: the secret must not be checked; 503 when
   *     others' attempts kept the limits crowded for too long
   */
  public Attempt admitClient(String clientId, String address) {
    return admit("client:" + clientId, settings.clientFailures(), address, "too many failed client authentications");
  }

  /**
   * Counts the attempt against its three subjects. Over a limit there are two cases. If the
   * failures already checked fill it, the subject is locked: 429, nothing checked. If attempts
   * still being checked fill it — a client sending many right secrets at once, say — this attempt
   * is taken back and counted again a moment later, once they have settled; only if the limit stays
   * crowded for {@link #CROWDED_WAIT} is the answer 503. Either way no attempt is checked while
   * more than the limit could turn out to be failures, so parallel guesses never get more checks
   * than the limit, while a busy client with the right secret is never told it guessed.
   */
  /**
   * Counts an operator's password attempt ({@code operations.operators}), before it is checked:
   * per operator and address, and per address — never per operator from all addresses, or an
   * attacker with enough addresses could lock the operators out of incident revocation in the
   * middle of an incident.
   */
  public Attempt admitOperator(String username, String address) {
    return admit("operator:" + username, settings.userFailures(), address, "too many failed sign-ins", false);
  }

  private Attempt admit(String subject, int limit, String address, String what) {
    return admit(subject, limit, address, what, true);
  }

  private Attempt admit(String subject, int limit, String address, String what, boolean acrossAddresses) {
    String from = addressKey(address);
    List<String> keys = acrossAddresses ? List.of(subject + "@" + from, subject, from)
        : List.of(subject + "@" + from, from);
    int[] limits = acrossAddresses ? new int[] {limit, limit * ALL_ADDRESSES_FACTOR, settings.addressFailures()}
        : new int[] {limit, settings.addressFailures()};
    long deadline = System.nanoTime() + crowdedWait.toNanos();
    boolean queued = false;
    try {
      for (int round = 0; ; round++) {
        Attempt attempt = new Attempt();
        Instant lockedUntil = null;
        boolean crowded = false;
        try {
          for (int i = 0; i < keys.size(); i++) {
            FailureCount count = store.recordAttempt(keys.get(i), settings.window());
            attempt.counted(keys.get(i), count.windowEnds());
            if (count.count() <= limits[i]) {
              continue;
            }
            if (count.confirmed() >= limits[i]) {
              lockedUntil = lockedUntil == null || count.windowEnds().isAfter(lockedUntil)
                  ? count.windowEnds() : lockedUntil;
            } else {
              crowded = true;
            }
          }
        } catch (RuntimeException storeFailed) {
          takeBack(attempt, storeFailed);
          throw storeFailed;
        }
        if (lockedUntil == null && !crowded) {
          return attempt;
        }
        // Refused unchecked, so not a failure: taken back, or an attacker hammering one locked
        // account would lock everyone else at the same address too.
        attempt.forget();
        if (lockedUntil != null) {
          long seconds = secondsUntil(lockedUntil);
          throw OAuthException.tooManyAttempts(what + "; try again in " + seconds + " seconds", seconds);
        }
        if (!queued) {
          queued = true;
          if (crowdedWaiting.incrementAndGet() > MAX_CROWDED_WAITING) {
            throw busy();
          }
        }
        if (System.nanoTime() >= deadline) {
          throw busy();
        }
        pause(round);
      }
    } finally {
      if (queued) {
        crowdedWaiting.decrementAndGet();
      }
    }
  }

  private static void takeBack(Attempt attempt, RuntimeException cause) {
    try {
      attempt.forget();
    } catch (RuntimeException again) {
      cause.addSuppressed(again);
    }
  }

  /** A few milliseconds, growing with each round and spread so that waiters do not move in step. */
  private static void pause(int round) {
    long bound = 1L << Math.min(round + 1, 4); // 2, 4, 8, 16 ms
    try {
      Thread.sleep(1 + ThreadLocalRandom.current().nextLong(bound));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw busy();
    }
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
    // A thread answers one client many times over: the last address it saw, parsed once.
    String[] last = LAST_ADDRESS.get();
    if (address.equals(last[0])) {
      return last[1];
    }
    String key = parseAddressKey(address);
    last[0] = address;
    last[1] = key;
    return key;
  }

  private static final ThreadLocal<String[]> LAST_ADDRESS = ThreadLocal.withInitial(() -> new String[2]);

  private static String parseAddressKey(String address) {
    try {
      Cidr block = Cidr.parse(address.length() > 45 ? "x" : address);
      byte[] bytes = block.network();
      return "address:" + (bytes.length == 16 ? Cidr.parse(address + "/64") : block);
    } catch (IllegalArgumentException notAnAddress) {
      return "address:" + address;
    }
  }
}
