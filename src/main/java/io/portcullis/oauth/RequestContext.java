package io.portcullis.oauth;

/**
 * The id of the request being answered on this thread ({@code X-Request-Id}), so that every log
 * line about a request — the audit trail's included — names it. Set by the web layer around
 * everything it runs for a request, on whichever thread runs it.
 */
public final class RequestContext {
  private RequestContext() {}

  private static final ThreadLocal<String> ID = new ThreadLocal<>();

  /** The current request's id, or {@code null} outside a request. */
  public static String id() {
    return ID.get();
  }

  /** {@code "request <id>: "} to put before a log message, or {@code ""} outside a request. */
  public static String tag() {
    String id = ID.get();
    return id == null ? "" : "request " + id + ": ";
  }

  /**
   * Makes {@code id} the current request's id; returns the one before, for {@link #leave}:
   * {@code String before = enter(id); try { … } finally { leave(before); }}.
   */
  public static String enter(String id) {
    String before = ID.get();
    ID.set(id);
    return before;
  }

  /** Restores the id {@link #enter} replaced. */
  public static void leave(String before) {
    if (before == null) {
      ID.remove();
    } else {
      ID.set(before);
    }
  }
}
