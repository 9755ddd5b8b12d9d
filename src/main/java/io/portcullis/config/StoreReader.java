package io.portcullis.config;

import java.util.List;

/**
 * Reads {@code "store"}: which store keeps pending requests, codes and tokens, and how many of
 * each it may hold.
 */
final class StoreReader {
  private StoreReader() {}

  /** @return {@link StoreSettings#defaults()} for what the file leaves out */
  static StoreSettings read(JsonFields top, ConfigProblems problems) {
    JsonFields store = top.object("store");
    StoreSettings defaults = StoreSettings.defaults();
    if (store == null) {
      return defaults;
    }
    String type = store.string("type", false);
    if (type != null && !type.equals(StoreSettings.MEMORY)) {
      problems.error(store.at("type"), "must be \"" + StoreSettings.MEMORY + "\"");
    }
    long pending = store.number("maxPendingAuthorizations", defaults.maxPendingAuthorizations(), 1, 100_000_000);
    long codes = store.number("maxAuthorizationCodes", defaults.maxAuthorizationCodes(), 1, 100_000_000);
    long tokens = store.number("maxAccessTokens", defaults.maxAccessTokens(), 1, 1_000_000_000);
    store.rejectUnknownKeys(List.of("type", "maxPendingAuthorizations", "maxAuthorizationCodes", "maxAccessTokens"));
    return new StoreSettings(StoreSettings.MEMORY, pending, codes, tokens);
  }
}
