package io.portcullis.store;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of each of the few strings that a million stored tokens repeat (client ids, usernames,
 * scopes), like {@link String#intern()} but without its global table: a lookup here is a plain
 * hash-map read, while {@code intern()} cost a measurable part of a flow (issue 12). Bounded: when
 * it is full it starts afresh, so no input can grow it without end, and a string first seen after
 * many distinct usernames (a scope, a client id after a reload) is still shared. Strings handed out
 * before stay with the tokens holding them: at worst a string exists once more per fresh start.
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

  int size() {
    return strings.size();
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
      strings.clear();
    }
    shared = strings.putIfAbsent(s, s);
    return shared == null ? s : shared;
  }
}
