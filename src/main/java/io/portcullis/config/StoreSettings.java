package io.portcullis.config;

/**
 * {@code "store"}: the memory of this node (the default) with its bounds and where it keeps its
 * entries across a restart ({@code snapshotFile}, none by default); or a shared Redis
 * ({@link RedisSettings}). Each kind of entry has its own bound, so a flood of
 * unauthenticated authorize requests can evict only other pending requests, never live tokens.
 */
public record StoreSettings(
    String type, long maxPendingAuthorizations, long maxAuthorizationCodes, long maxAccessTokens,
    java.util.Optional<java.nio.file.Path> snapshotFile, java.util.Optional<RedisSettings> redis) {

  public static final String MEMORY = "memory";
  public static final String REDIS = "redis";

  public StoreSettings(String type, long maxPendingAuthorizations, long maxAuthorizationCodes, long maxAccessTokens) {
    this(type, maxPendingAuthorizations, maxAuthorizationCodes, maxAccessTokens, java.util.Optional.empty());
  }

  public StoreSettings(String type, long maxPendingAuthorizations, long maxAuthorizationCodes, long maxAccessTokens,
      java.util.Optional<java.nio.file.Path> snapshotFile) {
    this(type, maxPendingAuthorizations, maxAuthorizationCodes, maxAccessTokens, snapshotFile,
        java.util.Optional.empty());
  }

  /** The shared Redis store (with its settings), rather than the memory of this node. */
  public static StoreSettings redis(RedisSettings redis) {
    StoreSettings defaults = defaults();
    return new StoreSettings(REDIS, defaults.maxPendingAuthorizations, defaults.maxAuthorizationCodes,
        defaults.maxAccessTokens, java.util.Optional.empty(), java.util.Optional.of(redis));
  }

  public static StoreSettings defaults() {
    return new StoreSettings(MEMORY, 100_000, 100_000, 2_000_000);
  }
}
