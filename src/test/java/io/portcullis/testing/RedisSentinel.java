package io.portcullis.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real Redis Sentinel set made by the test: one master, one or two replicas ({@code redis-server
 * --replicaof}) and one to three sentinels ({@code redis-server sentinel.conf --sentinel}, each
 * with a config file of its own, since a sentinel rewrites it) watching the master under
 * {@link #MASTER_NAME}. A sentinel declares the master down after {@value #DOWN_AFTER_MILLIS} ms
 * (the next ones a little later each, so that one of them asks the others for their votes first
 * rather than all at once, which splits the vote and delays the failover by twice
 * {@value #FAILOVER_TIMEOUT_MILLIS} ms), so a failover takes a few seconds. Every process is a
 * {@link RedisServer} on a free loopback port.
 *
 * <p>A JUnit 5 extension for a static field, like {@link RedisServer}, or started and closed by
 * hand (a failover changes who is master, so a test that forces one wants a set of its own).
 * {@link #start()} returns once the replicas are in sync and every sentinel sees them and the
 * other sentinels, so a failover can be asked for at once. Fails, never skips, without
 * redis-server.
 */
public final class RedisSentinel implements TestProcess {

  public static final String MASTER_NAME = "portcullis-test";
  static final int DOWN_AFTER_MILLIS = 500;
  static final int DOWN_AFTER_STAGGER_MILLIS = 400;
  static final int FAILOVER_TIMEOUT_MILLIS = 3000;
  private static final Duration READY_WITHIN = Duration.ofSeconds(15);
  private static final String[] NO_SYNC_DELAY = {"--repl-diskless-sync-delay", "0"};

  private final int replicaCount;
  private final int sentinelCount;
  /** Every data node, the first master; which one is master now, only the sentinels say. */
  private final List<RedisServer> nodes = new ArrayList<>();
  private final List<RedisServer> sentinels = new ArrayList<>();

  /** One master, two replicas, three sentinels (quorum two). */
  public RedisSentinel() {
    this(2, 3);
  }

  public RedisSentinel(int replicas, int sentinels) {
    if (replicas < 1 || replicas > 2 || sentinels < 1 || sentinels > 3) {
      throw new IllegalArgumentException("one or two replicas, one to three sentinels");
    }
    this.replicaCount = replicas;
    this.sentinelCount = sentinels;
  }

  @Override
  public RedisSentinel start() throws Exception {
    try {
      startAll();
    } catch (Exception | Error e) {
      close();
      throw e;
    }
    return this;
  }

  private void startAll() throws Exception {
    // Any node may be master, and a master waits 5 s by default before it sends a replica its data.
    RedisServer master = new RedisServer(NO_SYNC_DELAY).start();
    nodes.add(master);
    for (int i = 0; i < replicaCount; i++) {
      nodes.add(new RedisServer(NO_SYNC_DELAY[0], NO_SYNC_DELAY[1], "--replicaof", "127.0.0.1",
          Integer.toString(master.port())).start());
    }
    for (RedisServer replica : nodes.subList(1, nodes.size())) {
      await(READY_WITHIN, "replica " + replica.port() + " to reach its master",
          () -> info(replica.port(), "master_link_status").equals("up") ? Boolean.TRUE : null);
    }
    int quorum = sentinelCount / 2 + 1;
    for (int i = 0; i < sentinelCount; i++) {
      sentinels.add(new RedisServer(List.of(
          "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " " + quorum,
          "sentinel down-after-milliseconds " + MASTER_NAME + " " + (DOWN_AFTER_MILLIS + i * DOWN_AFTER_STAGGER_MILLIS),
          "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MILLIS), "--sentinel").start());
    }
    awaitSentinelsReady();
  }

  /** The sentinels, {@code redis://127.0.0.1:port}. */
  public List<String> sentinels() {
    return sentinels.stream().map(RedisServer::uri).toList();
  }

  /** The master's port, as the first sentinel that answers says. */
  public int masterPort() {
    for (RedisServer sentinel : sentinels) {
      try (Jedis jedis = connect(sentinel.port())) {
        return Integer.parseInt(jedis.sentinelGetMasterAddrByName(MASTER_NAME).get(1));
      } catch (JedisException e) {
        // ask the next one
      }
    }
    throw new IllegalStateException("no sentinel answers");
  }

  /** The data node on that port. */
  public RedisServer node(int port) {
    return nodes.stream().filter(n -> n.port() == port).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no data node on port " + port));
  }

  /**
   * Returns once every replica has acknowledged all the master has been sent ({@code WAIT}), so
   * what was written before survives a failover.
   */
  public void awaitReplicated() {
    try (Jedis master = connect(masterPort(), READY_WITHIN.plusSeconds(2))) {
      long acknowledged = master.waitReplicas(replicaCount, READY_WITHIN.toMillis());
      if (acknowledged < replicaCount) {
        throw new IllegalStateException(acknowledged + " of " + replicaCount + " replicas in sync after "
            + READY_WITHIN.toSeconds() + " s");
      }
    }
  }

  /** {@code SENTINEL FAILOVER}: a replica is promoted although the master is well. */
  public void failover() {
    try (Jedis sentinel = connect(sentinels.get(0).port())) {
      sentinel.sentinelFailover(MASTER_NAME);
    }
  }

  /**
   * Waits until every sentinel still running names a master other than {@code formerPort}, and
   * that node says it is master; returns its port.
   */
  public int awaitNewMaster(int formerPort, Duration within) throws InterruptedException {
    return await(within, "a master other than port " + formerPort, () -> {
      Integer agreed = null;
      for (RedisServer sentinel : sentinels) {
        try (Jedis jedis = connect(sentinel.port())) {
          int named = Integer.parseInt(jedis.sentinelGetMasterAddrByName(MASTER_NAME).get(1));
          if (named == formerPort || (agreed != null && agreed != named)) {
            return null;
          }
          agreed = named;
        } catch (JedisException e) {
          // a sentinel that is gone has no say
        }
      }
      return agreed != null && info(agreed, "role").equals("master") ? agreed : null;
    });
  }

  private void awaitSentinelsReady() throws InterruptedException {
    for (RedisServer sentinel : sentinels) {
      await(READY_WITHIN, "sentinel " + sentinel.port() + " to see " + replicaCount + " replicas in sync and "
          + (sentinelCount - 1) + " other sentinels", () -> {
            try (Jedis jedis = connect(sentinel.port())) {
              List<Map<String, String>> replicas = jedis.sentinelReplicas(MASTER_NAME);
              boolean replicasReady = replicas.size() == replicaCount && replicas.stream().allMatch(r ->
                  "slave".equals(r.get("flags")) && "ok".equals(r.get("master-link-status")));
              boolean sentinelsKnown = Integer.parseInt(jedis.sentinelMaster(MASTER_NAME)
                  .get("num-other-sentinels")) == sentinelCount - 1;
              return replicasReady && sentinelsKnown ? Boolean.TRUE : null;
            } catch (JedisException e) {
              return null;
            }
          });
    }
  }

  /** A field of the node's {@code INFO replication}; empty when it does not answer. */
  private static String info(int port, String field) {
    try (Jedis jedis = connect(port)) {
      return jedis.info("replication").lines().filter(l -> l.startsWith(field + ":")).findFirst()
          .map(l -> l.substring(field.length() + 1).trim()).orElse("");
    } catch (JedisException e) {
      return "";
    }
  }

  /** A plain connection to one of the processes, whatever the sentinels say. */
  public static Jedis connect(int port) {
    return connect(port, Duration.ofSeconds(2));
  }

  private static Jedis connect(int port, Duration timeout) {
    // Jedis speaks RESP2; left to negotiate, it warns so on every connection.
    return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
        .socketTimeoutMillis((int) timeout.toMillis()).autoNegotiateProtocol(false).build());
  }

  /** Polls {@code check} until it returns a value; fails with what it waited for. */
  private static <T> T await(Duration within, String what, Supplier<T> check) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T value = check.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("waited " + within.toMillis() + " ms for " + what);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    sentinels.forEach(RedisServer::close);
    nodes.forEach(RedisServer::close);
  }
}
