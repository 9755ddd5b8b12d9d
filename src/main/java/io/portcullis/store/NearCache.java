package io.portcullis.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code nearCacheMillis}: validated access tokens kept on this node for a moment, so the bearer
 * filter need not ask the shared store on every request. A revocation anywhere reaches every
 * node's near-cache at once ({@link RedisTokenStore#onRevocation}: Redis pub/sub); should that
 * message be lost, or the subscription drop (the whole near-cache is then emptied), a revoked
 * token passes here for at most {@code nearCacheMillis} — the documented bound. Only tokens that
 * were found are kept, never past their own expiry.
 *
 * <p>A cut-off of a client or a user drops that client's or that user's tokens, and only those:
 * emptying the whole near-cache on every node would send every request of every other client to
 * Redis at once, in the middle of an incident. Cut-offs are rare, so looking through the entries
 * (at most 100,000) is cheap.
 */
public final class NearCache implements AccessTokenLookup {

  private final AccessTokenLookup store;
  private final Clock clock;
  private final Cache<SecretKey, Validated> validated;
  /** Bumped by every revocation message and every clear, before it drops anything. */
  private final AtomicLong revocations = new AtomicLong();

  /** A token as the store answered, and when that answer was asked for (epoch ms). */
  private record Validated(AccessToken token, long askedAtMillis) {}

  public NearCache(AccessTokenLookup store, Duration keep, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.validated = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfter(com.github.benmanes.caffeine.cache.Expiry.<SecretKey, Validated>writing(
            (key, v) -> Duration.ofMillis(Math.max(0, keep.toMillis() - (clock.millis() - v.askedAtMillis())))))
        .ticker(ClockTicker.of(clock))
        .executor(Runnable::run)
        .build();
  }

  @Override
  public Optional<AccessToken> findAccessToken(String token) {
    SecretKey key = SecretKey.of(token);
    Validated cached = validated.getIfPresent(key);
    if (cached != null) {
      return cached.token().isExpired(clock) ? Optional.empty() : Optional.of(cached.token());
    }
    long seen = revocations.get();
    long askedAt = clock.millis();
    Optional<AccessToken> found = store.findAccessToken(token);
    found.ifPresent(t -> {
      validated.put(key, new Validated(t, askedAt));
      if (revocations.get() != seen) {
        validated.invalidate(key); // a revocation was heard while the store was asked
      }
    });
    return found;
  }

  /**
   * A revocation from any node: {@code t:<hash>} for one token, {@code g:<id>} for a grant,
   * {@code c:<client id>} or {@code u:<username>} for a cut-off ({@link TokenStore#revokeIssuedBefore}).
   */
  public void revoked(String message) {
    revocations.incrementAndGet();
    String about = message.substring(Math.min(2, message.length()));
    if (message.startsWith("t:")) {
      try {
        validated.invalidate(SecretKey.fromHex(about));
      } catch (IllegalArgumentException e) {
        validated.invalidateAll(); // not a message of ours: be safe
      }
    } else if (message.startsWith("g:")) {
      try {
        long grantId = Long.parseLong(about);
        drop(token -> token.grantId() == grantId);
      } catch (NumberFormatException e) {
        validated.invalidateAll();
      }
    } else if (message.startsWith("c:")) {
      drop(token -> token.clientId().equals(about));
    } else if (message.startsWith("u:")) {
      drop(token -> about.equals(token.username()));
    } else {
      validated.invalidateAll();
    }
  }

  private void drop(java.util.function.Predicate<AccessToken> revoked) {
    validated.asMap().values().removeIf(v -> revoked.test(v.token()));
  }

  /** Everything: the subscription dropped, and messages may have been missed meanwhile. */
  public void clear() {
    revocations.incrementAndGet();
    validated.invalidateAll();
  }
}
