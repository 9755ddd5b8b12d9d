package io.portcullis.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Instant;
import java.util.Base64;

/**
 * How store entries are written into Redis: compact JSON objects with short member names (access
 * tokens, of which Redis holds the most, more compactly still). Grant
 * ids travel as strings, since the Lua scripts decode these values and Lua numbers are doubles,
 * which would round a 64-bit id.
 */
final class RedisCodec {
  private RedisCodec() {}

  static String pending(PendingAuthorization p) {
    JsonObject o = new JsonObject();
    o.addProperty("c", p.clientId());
    o.addProperty("r", p.redirectUri());
    o.addProperty("rs", p.redirectUriSent());
    o.addProperty("s", p.scope());
    o.addProperty("st", p.state());
    o.addProperty("cc", p.codeChallenge());
    o.addProperty("cm", p.codeChallengeMethod());
    o.addProperty("x", Base64.getEncoder().encodeToString(p.csrfTokenHash()));
    o.addProperty("e", p.expiresAt().getEpochSecond());
    return o.toString();
  }

  static PendingAuthorization pending(String json, int attempts) {
    return decode("an approval", json, o -> new PendingAuthorization(string(o, "c"), string(o, "r"),
        o.get("rs").getAsBoolean(), string(o, "s"),
        string(o, "st"), string(o, "cc"), string(o, "cm"), Base64.getDecoder().decode(string(o, "x")),
        Instant.ofEpochSecond(o.get("e").getAsLong()), attempts));
  }

  static String code(AuthorizationCode c) {
    JsonObject o = new JsonObject();
    o.addProperty("g", Long.toString(c.grantId()));
    o.addProperty("c", c.clientId());
    o.addProperty("u", c.username());
    o.addProperty("r", c.redirectUri());
    o.addProperty("rs", c.redirectUriSent());
    o.addProperty("s", c.scope());
    o.addProperty("cc", c.codeChallenge());
    o.addProperty("cm", c.codeChallengeMethod());
    o.addProperty("i", c.issuedAtEpochSecond());
    o.addProperty("e", c.expiresAt().getEpochSecond());
    return o.toString();
  }

  /** A code; one written before codes carried {@code "i"} reads as issued at {@link AuthorizationCode#ISSUED_AT_UNKNOWN}. */
  static AuthorizationCode code(String json) {
    return decode("a code", json, o -> new AuthorizationCode(Long.parseLong(string(o, "g")), string(o, "c"),
        string(o, "u"), string(o, "r"),
        o.get("rs").getAsBoolean(), string(o, "s"), string(o, "cc"), string(o, "cm"),
        o.has("i") ? Instant.ofEpochSecond(o.get("i").getAsLong()) : AuthorizationCode.ISSUED_AT_UNKNOWN,
        Instant.ofEpochSecond(o.get("e").getAsLong())));
  }

  /** Separates the fields of an access token; a value with one in it is written as JSON instead. */
  private static final char UNIT = '\u001f';
  private static final java.util.regex.Pattern UNITS = java.util.regex.Pattern.compile(String.valueOf(UNIT));

  /**
   * An access token, the entry Redis holds a million of: its six fields (grant id, issued-at and
   * lifetime in base 36, client id, username — empty for none — and scope) joined by U+001F, about
   * 55 bytes where JSON took 100. A value that contains U+001F, or an empty username, is written
   * as a JSON array instead, which begins with {@code [} (a compact one never does).
   */
  static String accessToken(AccessToken t) {
    String user = t.username() == null ? "" : t.username();
    if (t.clientId().indexOf(UNIT) >= 0 || user.indexOf(UNIT) >= 0 || t.scope().indexOf(UNIT) >= 0
        || "".equals(t.username())) {
      JsonArray a = new JsonArray();
      a.add(t.grantId());
      a.add(t.issuedAtEpochSecond());
      a.add(t.expiresAtEpochSecond());
      a.add(t.clientId());
      a.add(t.username());
      a.add(t.scope());
      return a.toString();
    }
    return Long.toString(t.grantId(), 36) + UNIT + Long.toString(t.issuedAtEpochSecond(), 36) + UNIT
        + Long.toString(t.expiresAtEpochSecond() - t.issuedAtEpochSecond(), 36) + UNIT + t.clientId() + UNIT
        + user + UNIT + t.scope();
  }

  static AccessToken accessToken(String value) {
    if (value.startsWith("[")) {
      return decode("an access token", value, JsonParser::parseString, e -> {
        JsonArray a = e.getAsJsonArray();
        return new AccessToken(a.get(0).getAsLong(), a.get(3).getAsString(),
            a.get(4).isJsonNull() ? null : a.get(4).getAsString(), a.get(5).getAsString(), a.get(1).getAsLong(),
            a.get(2).getAsLong());
      });
    }
    return decode("an access token", value, v -> UNITS.split(v, -1), f -> {
      if (f.length != 6) {
        throw new IllegalArgumentException("6 fields expected");
      }
      long issuedAt = Long.parseLong(f[1], 36);
      return new AccessToken(Long.parseLong(f[0], 36), f[3], f[4].isEmpty() ? null : f[4], f[5], issuedAt,
          Math.addExact(issuedAt, Long.parseLong(f[2], 36)));
    });
  }

  static String refreshToken(RefreshToken t) {
    JsonObject o = new JsonObject();
    o.addProperty("g", Long.toString(t.grantId()));
    o.addProperty("c", t.clientId());
    o.addProperty("u", t.username());
    o.addProperty("s", t.scope());
    o.addProperty("i", t.issuedAtEpochSecond());
    o.addProperty("e", t.expiresAtEpochSecond());
    o.addProperty("ge", t.grantEndsAtEpochSecond());
    return o.toString();
  }

  static RefreshToken refreshToken(String json) {
    return decode("a refresh token", json, o -> new RefreshToken(Long.parseLong(string(o, "g")), string(o, "c"),
        string(o, "u"), string(o, "s"),
        o.get("i").getAsLong(), o.get("e").getAsLong(), o.get("ge").getAsLong()));
  }

  /**
   * A cut-off as the cut-offs hash holds it: {@code "<cut-off> <until>"}, epoch seconds, written by
   * the script that sets it. Its own {@code until}, since a hash field has no TTL of its own.
   */
  static CutOff cutOff(String value) {
    return decode("a cut-off", value, v -> v.split(" ", -1), f -> {
      if (f.length != 2) {
        throw new IllegalArgumentException("2 fields expected");
      }
      return new CutOff(Long.parseLong(f[0]), Long.parseLong(f[1]));
    });
  }

  /**
   * A spent code or refresh token: its grant and client, for a replay to revoke, and the grant's
   * user for the audit trail ({@code null} in markers written before it was kept).
   */
  record Spent(long grantId, String clientId, String username) {}

  static Spent spent(String json) {
    return decode("a spent marker", json, o -> new Spent(Long.parseLong(string(o, "g")), string(o, "c"),
        string(o, "u")));
  }

  /**
   * An entry as Redis holds it. One that cannot be read (written by something else, damaged)
   * makes the store unavailable for that request: refused with a 503, never a 500, never a pass.
   */
  private static <T> T decode(String what, String json, java.util.function.Function<JsonObject, T> read) {
    return decode(what, json, v -> JsonParser.parseString(v).getAsJsonObject(), read);
  }

  private static <P, T> T decode(String what, String value, java.util.function.Function<String, P> parse,
      java.util.function.Function<P, T> read) {
    try {
      return read.apply(parse.apply(value));
    } catch (RuntimeException e) {
      throw new StoreUnavailableException("Redis holds " + what + " entry that cannot be read ("
          + e.getClass().getSimpleName() + ")", null);
    }
  }

  private static String string(JsonObject o, String member) {
    JsonElement e = o.get(member);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }
}
