package io.portcullis.store;

import io.portcullis.config.RedisSettings;
import io.portcullis.testing.RedisCluster;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract on a real three-master Redis Cluster the test creates: every script's keys
 * share a hash slot, so each single-use step runs there as on one server.
 */
class RedisClusterTokenStoreTest extends TokenStoreContract {

  @RegisterExtension static final RedisCluster cluster = new RedisCluster();
  private static final AtomicInteger TEST = new AtomicInteger();

  @Override
  protected TokenStore newStore() {
    RedisSettings settings = new RedisSettings(null, List.of(), null,
        cluster.nodes().stream().map(URI::create).toList(), null, "cluster" + TEST.incrementAndGet() + ":",
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ZERO);
    return new RedisTokenStore(settings, clock, name -> null);
  }
}
