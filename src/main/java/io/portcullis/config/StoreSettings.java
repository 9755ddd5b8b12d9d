package io.portcullis.config;

/**
 * Bounds of the in-memory store. Each kind of entry has its own bound, so a flood of
 * unauthenticated authorize requests can evict only other pending requests, never live tokens.
 */
public record StoreSettings(
    String type, long maxPendingAuthorizations, long maxAuthorizationCodes, long maxAccessTokens) {

  public static final String MEMORY = "memory";

  public static StoreSettings defaults() {
    return new StoreSettings(MEMORY, 100_000, 100_000, 2_000_000);
  }
}
