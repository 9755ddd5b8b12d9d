package io.portcullis.store;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of each of the few strings that a million stored tokens repeat (client ids, usernames,
 * scopes), like {@link String#intern()} but without its global table: a lookup here is a plain
 * hash-map read, while {@code intern()} cost a measurable part of a flow (issue 12). Bounded: past
 * its size a string is kept as it is, so no input can grow the table without end.
 */
final class SharedStrings {
  private static final SharedStrings SHARED = new SharedStrings(65_536);

  private final int max;
  private final ConcurrentHashMap<String, String> strings = new ConcurrentHashMap<>();

  SharedStrings(int max) {
    this.max = max;
  }

  /** The process's shared copy of {@code s} ({@code null} for {@code null}). */
  static String of(String s) {
    return SHARED.share(s);
  }

  String share(String s) {
    if (s == null) {
      return null;
    }
    String shared = strings.get(s);
    if (shared != null) {
      return shared;
    }
    if (strings.size() >= max) {
      return s;
    }
    shared = strings.putIfAbsent(s, s);
    return shared == null ? s : shared;
  }
}
