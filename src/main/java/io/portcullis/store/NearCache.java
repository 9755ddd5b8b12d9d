package io.portcullis.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code nearCacheMillis}: validated access tokens kept on this node for a moment, so the bearer
 * filter need not ask the shared store on every request. A revocation anywhere reaches every
 * node's near-cache at once ({@link RedisTokenStore#onRevocation}: Redis pub/sub); should that
 * message be lost, or the subscription drop (the whole near-cache is then emptied), a revoked
 * token passes here for at most {@code nearCacheMillis} — the documented bound. Only tokens that
 * were found are kept, never past their own expiry.
 */
public final class NearCache implements AccessTokenLookup {

  private final AccessTokenLookup store;
  private final Clock clock;
  private final Cache<SecretKey, AccessToken> validated;

  public NearCache(AccessTokenLookup store, Duration keep, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.validated = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(keep)
        .ticker(ClockTicker.of(clock))
        .executor(Runnable::run)
        .build();
  }

  @Override
  public Optional<AccessToken> findAccessToken(String token) {
    SecretKey key = SecretKey.of(token);
    AccessToken cached = validated.getIfPresent(key);
    if (cached != null) {
      return cached.isExpired(clock) ? Optional.empty() : Optional.of(cached);
    }
    Optional<AccessToken> found = store.findAccessToken(token);
    found.ifPresent(t -> validated.put(key, t));
    return found;
  }

  /** A revocation from any node: {@code t:<hash>} for one token, {@code g:<id>} for a grant. */
  public void revoked(String message) {
    if (message.startsWith("t:")) {
      try {
        validated.invalidate(SecretKey.fromHex(message.substring(2)));
      } catch (IllegalArgumentException e) {
        validated.invalidateAll(); // not a message of ours: be safe
      }
    } else if (message.startsWith("g:")) {
      try {
        long grantId = Long.parseLong(message.substring(2));
        validated.asMap().values().removeIf(t -> t.grantId() == grantId);
      } catch (NumberFormatException e) {
        validated.invalidateAll();
      }
    } else {
      validated.invalidateAll();
    }
  }

  /** Everything: the subscription dropped, and messages may have been missed meanwhile. */
  public void clear() {
    validated.invalidateAll();
  }
}
