package io.portcullis.store;

import io.portcullis.config.StoreSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/** The store the config names: this node's memory (the default) or a shared Redis. */
public final class TokenStores {
  private TokenStores() {}

  /** @param environment where {@code store.passwordEnv} is looked up */
  public static TokenStore open(StoreSettings settings, Clock clock, Function<String, String> environment) {
    if (settings.redis().isPresent()) {
      return new RedisTokenStore(settings.redis().get(), clock, environment);
    }
    return new CaffeineTokenStore(settings, clock);
  }

  /**
   * Where the bearer filter looks tokens up: the store itself, or with {@code nearCacheMillis} on
   * a Redis store a near-cache in front of it that hears every node's revocations at once.
   */
  public static AccessTokenLookup bearerLookup(StoreSettings settings, TokenStore store, Clock clock) {
    Duration keep = settings.redis().map(r -> r.nearCache()).orElse(Duration.ZERO);
    if (keep.isZero() || !(store instanceof RedisTokenStore redis)) {
      return store;
    }
    NearCache cache = new NearCache(store, keep, clock);
    redis.onRevocation(cache::revoked, cache::clear);
    return cache;
  }
}
