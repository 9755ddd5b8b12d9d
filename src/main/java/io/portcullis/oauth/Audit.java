package io.portcullis.oauth;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit trail: one line per security event on the logger {@value #LOGGER}, as
 * {@code key=value} pairs a log pipeline can split (logfmt):
 *
 * <pre>
 * time=2026-12-02T09:15:02.114Z event=approval outcome=wrong_password client_id=app user=alice address=203.0.113.9
 * </pre>
 *
 * Every line has {@code time}, {@code event} and {@code outcome}, then whichever of
 * {@code client_id}, {@code user}, {@code address} and event details apply, and last the
 * {@code request_id} of the request ({@code X-Request-Id}). A value with a space,
 * quote, {@code =} or control character is quoted and escaped, so a username typed on the approval
 * page cannot forge a line or a field. Never a token, code, secret, password or verifier: only
 * names and outcomes are passed in.
 *
 * <p>Events: {@code approval} (outcomes {@code approved}, {@code denied}, {@code wrong_password},
 * {@code locked}, {@code busy}, {@code too_many_attempts}), {@code client_authentication}
 * ({@code failed}, {@code locked}), {@code token_issued} (with {@code grant_type}),
 * {@code code_replay} ({@code grant_revoked}, or {@code refused} for another client's code),
 * {@code refresh_reuse} ({@code grant_revoked}), {@code revocation} ({@code revoked},
 * {@code unknown_token}, with {@code token_type}), {@code operator_authentication} ({@code failed},
 * {@code forbidden}, {@code locked}, {@code busy}), {@code incident_revocation} ({@code revoked},
 * with {@code client_id} or {@code user}, {@code operator} and the {@code cutoff} in force).
 *
 * <p>A {@code locked} line is written once a minute at most for the same event, client, user and
 * address: an attacker hammering a lock must not flood the log and bury everything else.
 */
public final class Audit {

  public static final String LOGGER = "io.portcullis.audit";
  /** Longer values are cut: a username field can hold a megabyte. */
  static final int MAX_VALUE_LENGTH = 128;

  private static final System.Logger LOG = System.getLogger(LOGGER);

  private final Clock clock;
  /** The locked lines written in the last minute, so that repeats are left out. */
  private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> recentLocks;

  /** Told every event, logged or not (metrics); label values it takes must come from the config. */
  public interface Listener {
    void event(String event, String outcome, String clientId, String... details);
  }

  private final Listener listener;

  public Audit(Clock clock) {
    this(clock, (event, outcome, clientId, details) -> { });
  }

  public Audit(Clock clock, Listener listener) {
    this.clock = clock;
    this.listener = listener;
    this.recentLocks = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterWrite(java.time.Duration.ofMinutes(1))
        .ticker(() -> {
          java.time.Instant now = clock.instant();
          return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        })
        .executor(Runnable::run)
        .build();
  }

  /** A line for {@code event}; {@code null} fields are left out. */
  public void record(String event, String outcome, String clientId, String user, String address,
      String... details) {
    listener.event(event, outcome, clientId, details);
    if (!LOG.isLoggable(Level.INFO)) {
      return;
    }
    if ("locked".equals(outcome)
        && recentLocks.asMap().putIfAbsent(event + "|" + clientId + "|" + user + "|" + address, Boolean.TRUE) != null) {
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("time", clock.instant().toString());
    fields.put("event", event);
    fields.put("outcome", outcome);
    fields.put("client_id", clientId);
    fields.put("user", user);
    fields.put("address", address);
    for (int i = 0; i + 1 < details.length; i += 2) {
      fields.put(details[i], details[i + 1]);
    }
    fields.put("request_id", RequestContext.id()); // last: the line reads as before, with where it came from
    LOG.log(Level.INFO, format(fields));
  }

  static String format(Map<String, String> fields) {
    StringBuilder line = new StringBuilder();
    fields.forEach((key, value) -> {
      if (value != null) {
        if (line.length() > 0) {
          line.append(' ');
        }
        line.append(key).append('=').append(value(value));
      }
    });
    return line.toString();
  }

  /** As it is when it needs no quoting; otherwise quoted, with quotes, backslashes and controls escaped. */
  static String value(String raw) {
    String value = raw.length() > MAX_VALUE_LENGTH ? raw.substring(0, MAX_VALUE_LENGTH) + "..." : raw;
    boolean plain = !value.isEmpty();
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c > 0x20 && c < 0x7f && c != '"' && c != '=' && c != '\\';
    }
    if (plain) {
      return value;
    }
    StringBuilder quoted = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029'
          || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e'
          || c == '\u200f') {
        // controls, line separators, and bidi overrides that could make a line read otherwise
        quoted.append(String.format("\\u%04x", (int) c));
      } else {
        quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }
}
