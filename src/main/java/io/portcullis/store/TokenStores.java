package io.portcullis.store;

import io.portcullis.config.StoreSettings;
import java.time.Clock;
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
}
