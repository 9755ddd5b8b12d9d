package io.portcullis.store;

import io.portcullis.config.RedisSettings;
import io.portcullis.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract, on a real redis-server the test starts; every test with a key prefix of its own. */
class RedisTokenStoreTest extends TokenStoreContract {

  @RegisterExtension static final RedisServer redis = new RedisServer();
  private static final AtomicInteger TEST = new AtomicInteger();

  @Override
  protected TokenStore newStore() {
    RedisSettings settings = new RedisSettings(URI.create(redis.uri()), List.of(), null, List.of(), null,
        "test" + TEST.incrementAndGet() + ":", Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ZERO);
    return new RedisTokenStore(settings, clock, name -> null);
  }
}
