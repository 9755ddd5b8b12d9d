package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.json.StrictJson;
import io.portcullis.testing.RedisSentinel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract through Redis Sentinel: a real master, two replicas and three sentinels the
 * test starts, the store built as a node builds it — from the config's {@code "sentinels"} and
 * {@code "masterName"}, read by the real config reader — and finding the master through the
 * sentinels.
 */
class RedisSentinelTokenStoreTest extends TokenStoreContract {

  @RegisterExtension static final RedisSentinel sentinel = new RedisSentinel();
  private static final AtomicInteger TEST = new AtomicInteger();

  @Override
  protected TokenStore newStore() {
    try {
      PortcullisConfig config = ConfigLoader.load("sentinel test", StrictJson.parse(
          configJson(sentinel, "sentinel" + TEST.incrementAndGet() + ":").toString()));
      return TokenStores.open(config.store(), clock, name -> null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void opensWithoutAWarningFromJedis() {
    Logger jedis = Logger.getLogger("redis.clients.jedis");
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(record.getLoggerName() + ": " + record.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jedis.addHandler(handler);
    try {
      newStore().close(); // asks a sentinel for the master before it returns
    } finally {
      jedis.removeHandler(handler);
    }
    assertEquals(List.of(), warnings);
  }

  /** A whole config whose store is the Sentinel set, with one client. */
  static JsonObject configJson(RedisSentinel sentinel, String keyPrefix) {
    JsonObject store = new JsonObject();
    store.addProperty("type", "redis");
    JsonArray sentinels = new JsonArray();
    sentinel.sentinels().forEach(sentinels::add);
    store.add("sentinels", sentinels);
    store.addProperty("masterName", RedisSentinel.MASTER_NAME);
    store.addProperty("keyPrefix", keyPrefix);
    store.addProperty("connectTimeoutMillis", 1000);
    store.addProperty("commandTimeoutMillis", 2000);
    JsonObject client = new JsonObject();
    client.addProperty("clientId", "app");
    JsonArray redirects = new JsonArray();
    redirects.add("https://app.example/cb");
    client.add("redirectUris", redirects);
    JsonArray clients = new JsonArray();
    clients.add(client);
    JsonObject config = new JsonObject();
    config.add("store", store);
    config.add("clients", clients);
    return config;
  }
}
