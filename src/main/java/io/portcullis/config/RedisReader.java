package io.portcullis.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code "store"} with {@code "type": "redis"}: one of {@code uri} (standalone),
 * {@code sentinels} + {@code masterName}, or {@code "cluster": true} + {@code nodes}; and
 * {@code passwordEnv}, {@code keyPrefix}, {@code connectTimeoutMillis},
 * {@code commandTimeoutMillis}, {@code nearCacheMillis}.
 */
final class RedisReader {
  private RedisReader() {}

  static RedisSettings read(JsonFields store, ConfigProblems problems) {
    String uriText = store.string("uri", false);
    List<String> sentinelTexts = store.strings("sentinels", false);
    String masterName = store.string("masterName", false);
    boolean cluster = store.bool("cluster", false);
    List<String> nodeTexts = store.strings("nodes", false);

    URI uri = null;
    List<URI> sentinels = new ArrayList<>();
    List<URI> nodes = new ArrayList<>();
    int forms = (uriText != null ? 1 : 0) + (!sentinelTexts.isEmpty() ? 1 : 0) + (cluster ? 1 : 0);
    if (forms != 1) {
      problems.error(store.path(), "a Redis store needs exactly one of \"uri\", \"sentinels\" (with "
          + "\"masterName\") or \"cluster\": true (with \"nodes\")");
    }
    if (uriText != null) {
      uri = redisUri(store.at("uri"), uriText, true, problems);
      if (uri != null && uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
        problems.warn(store.at("uri"), "holds a password; name an environment variable in \"passwordEnv\" instead");
      }
    }
    for (int i = 0; i < sentinelTexts.size(); i++) {
      URI sentinel = redisUri(store.at("sentinels", i), sentinelTexts.get(i), false, problems);
      if (sentinel != null) {
        sentinels.add(sentinel);
      }
    }
    if (!sentinelTexts.isEmpty() && (masterName == null || masterName.isBlank())) {
      problems.error(store.at("masterName"), "is required with \"sentinels\": the name of the master they watch");
    }
    if (sentinelTexts.isEmpty() && masterName != null) {
      problems.error(store.at("masterName"), "applies only with \"sentinels\"");
    }
    if (cluster && nodeTexts.isEmpty()) {
      problems.error(store.at("nodes"), "is required with \"cluster\": true: one or more seed nodes");
    }
    if (!cluster && !nodeTexts.isEmpty()) {
      problems.error(store.at("nodes"), "applies only with \"cluster\": true");
    }
    for (int i = 0; i < nodeTexts.size(); i++) {
      URI node = redisUri(store.at("nodes", i), nodeTexts.get(i), false, problems);
      if (node != null) {
        nodes.add(node);
      }
    }
    String passwordEnv = store.string("passwordEnv", false);
    if (passwordEnv != null && !passwordEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      problems.error(store.at("passwordEnv"), "must be the name of an environment variable");
    }
    String keyPrefix = store.string("keyPrefix", false);
    if (keyPrefix == null) {
      keyPrefix = RedisSettings.DEFAULT_KEY_PREFIX;
    } else if (keyPrefix.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f || c == '{' || c == '}')) {
      problems.error(store.at("keyPrefix"), "must be printable ASCII without spaces or braces");
    }
    long connect = store.number("connectTimeoutMillis", RedisSettings.DEFAULT_CONNECT_TIMEOUT.toMillis(), 10, 60_000);
    long command = store.number("commandTimeoutMillis", RedisSettings.DEFAULT_COMMAND_TIMEOUT.toMillis(), 10, 60_000);
    long nearCache = store.number("nearCacheMillis", 0, 0, 3_600_000);
    store.rejectUnknownKeys(List.of("type", "uri", "sentinels", "masterName", "cluster", "nodes", "passwordEnv",
        "keyPrefix", "connectTimeoutMillis", "commandTimeoutMillis", "nearCacheMillis"));
    return new RedisSettings(uri, sentinels, masterName, nodes, passwordEnv, keyPrefix, Duration.ofMillis(connect),
        Duration.ofMillis(command), Duration.ofMillis(nearCache));
  }

  /** {@code redis://host:port[/db]}, or {@code rediss://} (TLS) where {@code tlsAllowed}. */
  private static URI redisUri(String path, String text, boolean standalone, ConfigProblems problems) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      problems.error(path, "not a valid URI: " + e.getReason());
      return null;
    }
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      problems.error(path, "must be a redis:// or rediss:// URI");
      return null;
    }
    if (uri.getHost() == null) {
      problems.error(path, "needs a host");
      return null;
    }
    String db = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "0" : uri.getRawPath().substring(1);
    if (!db.matches("[0-9]{1,2}")) {
      problems.error(path, "the database after the \"/\" must be a number");
      return null;
    }
    if (!standalone && !"0".equals(db)) {
      problems.error(path, "names a database: only a standalone Redis has several");
      return null;
    }
    return uri;
  }
}
