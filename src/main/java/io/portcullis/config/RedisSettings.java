package io.portcullis.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * {@code "store": {"type": "redis", …}}: where the shared store lives and how long Portcullis
 * waits for it.
 *
 * @param uri            standalone: {@code redis://[user:password@]host:port[/db]} or {@code rediss://}
 *                       (TLS); {@code null} with Sentinel or Cluster
 * @param sentinels      Sentinel: the sentinels' {@code redis://host:port}; empty otherwise
 * @param masterName     Sentinel: the name of the monitored master
 * @param nodes          Cluster: seed nodes {@code redis://host:port}; empty otherwise
 * @param passwordEnv    the environment variable holding the password, or {@code null}
 * @param keyPrefix      put before every key, so several deployments can share one Redis
 * @param connectTimeout how long a connection attempt may take
 * @param commandTimeout how long a command may take: the longest a dead Redis holds a request
 * @param nearCache      how long a node may keep a validated token without asking Redis again
 *                       (0: never); a revocation reaches every node's near-cache at once, this
 *                       is the worst case when that message is lost
 */
public record RedisSettings(
    URI uri,
    List<URI> sentinels,
    String masterName,
    List<URI> nodes,
    String passwordEnv,
    String keyPrefix,
    Duration connectTimeout,
    Duration commandTimeout,
    Duration nearCache) {

  public static final String DEFAULT_KEY_PREFIX = "portcullis:";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(1000);
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);

  public RedisSettings {
    sentinels = List.copyOf(sentinels);
    nodes = List.copyOf(nodes);
  }

  public boolean isCluster() {
    return !nodes.isEmpty();
  }

  public boolean isSentinel() {
    return !sentinels.isEmpty();
  }

  /** Where the store is, for the log: every password left out. */
  public String describe() {
    if (isCluster()) {
      return "Redis Cluster " + nodes.stream().map(RedisSettings::redact).toList();
    }
    if (isSentinel()) {
      return "Redis Sentinel " + sentinels.stream().map(RedisSettings::redact).toList() + " master " + masterName;
    }
    return "Redis " + redact(uri);
  }

  /** {@code redis://user:secret@host:6379/0} → {@code redis://user:****@host:6379/0}. */
  public static String redact(URI uri) {
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null) {
      return uri.toString();
    }
    int colon = userInfo.indexOf(':');
    String shown = colon < 0 ? "****" : userInfo.substring(0, colon) + ":****";
    return uri.getScheme() + "://" + shown + "@" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  @Override
  public String toString() {
    return "RedisSettings[" + describe() + "]";
  }
}
