package io.portcullis.config;

/**
 * Bounds of the in-memory store, and where it keeps its entries across a restart
 * ({@code snapshotFile}, none by default). Each kind of entry has its own bound, so a flood of
 * unauthenticated authorize requests can evict only other pending requests, never live tokens.
 */
public record StoreSettings(
    String type, long maxPendingAuthorizations, long maxAuthorizationCodes, long maxAccessTokens,
    java.util.Optional<java.nio.file.Path> snapshotFile) {

  public static final String MEMORY = "memory";

  public StoreSettings(String type, long maxPendingAuthorizations, long maxAuthorizationCodes, long maxAccessTokens) {
    this(type, maxPendingAuthorizations, maxAuthorizationCodes, maxAccessTokens, java.util.Optional.empty());
  }

  public static StoreSettings defaults() {
    return new StoreSettings(MEMORY, 100_000, 100_000, 2_000_000);
  }
}
