package io.portcullis.store;

import io.portcullis.config.RedisSettings;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The Redis the settings name — standalone, Sentinel or Cluster — with a Jedis client made when
 * first needed. A node started while Redis is down therefore starts, answers 503 while Redis
 * stays away, and serves as soon as it is back; a failed attempt is not repeated for a second, so
 * a dead Redis costs each request nothing but an exception.
 *
 * <p>The pool waits for a free connection at most {@code commandTimeoutMillis}: a hung Redis
 * holds no request longer than that in the queue either.
 */
final class RedisConnection implements AutoCloseable {

  private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
  /** Connections per node: one per request thread of a busy container. */
  static final int POOL_SIZE = 200;

  private final RedisSettings settings;
  private final JedisClientConfig clientConfig;
  private final AtomicInteger nextSeed = new AtomicInteger();
  private volatile UnifiedJedis client;
  /** Sends the parts of a Cluster pipeline to their nodes side by side (see {@link #pipelined()}). */
  private final ExecutorService clusterPipelines;
  private volatile boolean closed;
  private long failedAtNanos;
  private String failure;

  /** @throws IllegalStateException when {@code passwordEnv} names a variable that is not set */
  RedisConnection(RedisSettings settings, Function<String, String> environment) {
    this.settings = settings;
    this.clientConfig = clientConfig(settings, environment);
    this.clusterPipelines = settings.isCluster() ? clusterPipelineThreads() : null;
  }

  /**
   * Commands sent together, whose answers come back in one round trip: keys of different hash
   * slots, which no script may touch together on a Cluster. There each node's part goes to it on a
   * thread of one pool kept for the purpose (left to itself, Jedis would start and stop a pool of
   * its own for every pipeline that spans nodes). A Cluster pipeline does not follow a MOVED
   * redirection: while slots move its answers are errors, which callers deny on.
   *
   * <p>A part whose node cannot be reached leaves its answers unset ({@code Response.get()} then
   * throws {@link IllegalStateException}), which callers must deny on too.
   */
  AbstractPipeline pipelined() {
    UnifiedJedis made = client();
    return made instanceof RedisClusterClient cluster ? cluster.pipelined(clusterPipelines) : made.pipelined();
  }

  /** Up to a thread per pooled connection; past that, the caller sends its part itself. */
  private static ExecutorService clusterPipelineThreads() {
    AtomicInteger made = new AtomicInteger();
    return new ThreadPoolExecutor(0, POOL_SIZE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
      Thread thread = new Thread(task, "portcullis-redis-pipeline-" + made.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
  }

  /** The client; made now if it was not yet. */
  UnifiedJedis client() {
    UnifiedJedis made = client;
    if (made != null) {
      return made;
    }
    synchronized (this) {
      if (client != null) {
        return client;
      }
      if (closed) {
        throw new StoreUnavailableException("Redis: the store is closed", null);
      }
      if (failure != null && System.nanoTime() - failedAtNanos < RETRY_AFTER_FAILURE.toNanos()) {
        throw new StoreUnavailableException("Redis: " + failure, null);
      }
      try {
        client = build();
        failure = null;
        return client;
      } catch (JedisException e) {
        failedAtNanos = System.nanoTime();
        failure = "cannot connect to " + settings.describe() + ": " + e.getClass().getSimpleName() + ": "
            + e.getMessage();
        throw new StoreUnavailableException("Redis: " + failure, e);
      }
    }
  }

  /**
   * A connection of its own, not from the pool, for the revocation subscription: to the master
   * (Sentinel), to one seed node after another (Cluster: a message published on any node reaches
   * every node), or to the server.
   */
  Connection subscriber() {
    HostAndPort target;
    if (settings.isSentinel()) {
      target = ((RedisSentinelClient) client()).getCurrentMaster();
    } else if (settings.isCluster()) {
      List<URI> nodes = settings.nodes();
      target = host(nodes.get(Math.floorMod(nextSeed.getAndIncrement(), nodes.size())));
    } else {
      target = host(settings.uri());
    }
    return new Connection(target, clientConfig);
  }

  /** The master a Sentinel client sends to now; {@code null} for standalone and Cluster, or before connecting. */
  HostAndPort currentMaster() {
    return client instanceof RedisSentinelClient sentinel ? sentinel.getCurrentMaster() : null;
  }

  Duration commandTimeout() {
    return settings.commandTimeout();
  }

  @Override
  public void close() {
    UnifiedJedis made;
    synchronized (this) {
      closed = true;
      made = client;
    }
    if (made != null) {
      made.close();
    }
    if (clusterPipelines != null) {
      clusterPipelines.shutdown();
    }
  }

  private UnifiedJedis build() {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(POOL_SIZE);
    pool.setMaxIdle(POOL_SIZE);
    pool.setMaxWait(settings.commandTimeout());
    if (settings.isCluster()) {
      return RedisClusterClient.builder().nodes(hosts(settings.nodes())).clientConfig(clientConfig).poolConfig(pool)
          .maxTotalRetriesDuration(settings.commandTimeout().multipliedBy(2)).build();
    }
    if (settings.isSentinel()) {
      // Jedis speaks RESP2 to sentinels; left to negotiate, it warns so on every connection.
      JedisClientConfig sentinelConfig = DefaultJedisClientConfig.builder()
          .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
          .socketTimeoutMillis((int) settings.commandTimeout().toMillis())
          .ssl("rediss".equals(settings.sentinels().get(0).getScheme())).autoNegotiateProtocol(false).build();
      return RedisSentinelClient.builder().masterName(settings.masterName()).sentinels(hosts(settings.sentinels()))
          .clientConfig(clientConfig).sentinelClientConfig(sentinelConfig).poolConfig(pool).build();
    }
    return RedisClient.builder().hostAndPort(host(settings.uri())).clientConfig(clientConfig).poolConfig(pool)
        .build();
  }

  /**
   * Credentials: {@code user:password@} in the URI (standalone) or the first seed node's
   * (Cluster), {@code passwordEnv} for the password. A user name alone ({@code redis://app@host})
   * is an ACL user whose password {@code passwordEnv} holds — or who needs none.
   */
  static JedisClientConfig clientConfig(RedisSettings settings, Function<String, String> environment) {
    URI first = settings.isCluster() ? settings.nodes().get(0)
        : settings.isSentinel() ? settings.sentinels().get(0) : settings.uri();
    URI credentials = settings.isSentinel() ? null : first;
    String user = null;
    String password = null;
    if (credentials != null && credentials.getRawUserInfo() != null) {
      String info = credentials.getRawUserInfo();
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
      if (user.isEmpty()) {
        user = null; // redis://:password@host: the default user
      }
    }
    if (settings.passwordEnv() != null) {
      password = environment.apply(settings.passwordEnv());
      if (password == null) {
        throw new IllegalStateException("store.passwordEnv names " + settings.passwordEnv()
            + ", which is not set in the environment");
      }
    }
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
        .socketTimeoutMillis((int) settings.commandTimeout().toMillis())
        .ssl("rediss".equals(first.getScheme()))
        .clientName("portcullis");
    if (user != null) {
      config.user(user);
    }
    if (password != null) {
      config.password(password);
    }
    if (settings.uri() != null && settings.uri().getRawPath() != null && settings.uri().getRawPath().length() > 1) {
      config.database(Integer.parseInt(settings.uri().getRawPath().substring(1)));
    }
    return config.build();
  }

  private static Set<HostAndPort> hosts(List<URI> uris) {
    return uris.stream().map(RedisConnection::host).collect(Collectors.toSet());
  }

  private static HostAndPort host(URI uri) {
    return new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
