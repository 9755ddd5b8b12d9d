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
    if (StoreSettings.REDIS.equals(type)) {
      return StoreSettings.redis(RedisReader.read(store, problems));
    }
    if (type != null && !type.equals(StoreSettings.MEMORY)) {
      problems.error(store.at("type"), "must be \"" + StoreSettings.MEMORY + "\" or \"" + StoreSettings.REDIS + "\"");
    }
    long pending = store.number("maxPendingAuthorizations", defaults.maxPendingAuthorizations(), 1, 100_000_000);
    long codes = store.number("maxAuthorizationCodes", defaults.maxAuthorizationCodes(), 1, 100_000_000);
    long tokens = store.number("maxAccessTokens", defaults.maxAccessTokens(), 1, 1_000_000_000);
    java.util.Optional<java.nio.file.Path> snapshot = snapshotFile(store, problems);
    store.rejectUnknownKeys(List.of("type", "maxPendingAuthorizations", "maxAuthorizationCodes", "maxAccessTokens",
        "snapshotFile"));
    return new StoreSettings(StoreSettings.MEMORY, pending, codes, tokens, snapshot);
  }

  /** An absolute path in a directory that exists: checked now, not at the first shutdown. */
  private static java.util.Optional<java.nio.file.Path> snapshotFile(JsonFields store, ConfigProblems problems) {
    String text = store.string("snapshotFile", false);
    if (text == null) {
      return java.util.Optional.empty();
    }
    java.nio.file.Path path;
    try {
      path = java.nio.file.Path.of(text);
    } catch (java.nio.file.InvalidPathException e) {
      problems.error(store.at("snapshotFile"), "is not a valid file path");
      return java.util.Optional.empty();
    }
    if (!path.isAbsolute()) {
      problems.error(store.at("snapshotFile"), "must be an absolute path");
      return java.util.Optional.empty();
    }
    if (path.getParent() == null || !java.nio.file.Files.isDirectory(path.getParent())) {
      problems.error(store.at("snapshotFile"), "must be in a directory that exists");
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(path);
  }
}
