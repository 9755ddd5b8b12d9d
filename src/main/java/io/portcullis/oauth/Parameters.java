package io.portcullis.oauth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of one request, from a query string, a form body or a JSON body: a name may occur
 * more than once here, and {@link #get} is where that becomes {@code invalid_request}
 * (RFC 6749 §3.1 and §3.2: "parameters MUST NOT be included more than once").
 */
public final class Parameters {

  /**
   * Every parameter name an endpoint of this server reads. Error descriptions name only these:
   * any other name came from the request, and an answer never repeats what a request said.
   */
  private static final Set<String> KNOWN = Set.of("response_type", "client_id", "redirect_uri", "scope", "state",
      "code_challenge", "code_challenge_method", "grant_type", "code", "code_verifier", "client_secret",
      "refresh_token", "token", "token_type_hint", "transaction_id", "csrf_token", "username", "password",
      "decision");

  private final Map<String, List<String>> values;

  public Parameters(Map<String, List<String>> values) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    values.forEach((name, list) -> copy.put(name, List.copyOf(list)));
    this.values = Collections.unmodifiableMap(copy);
  }

  public static Parameters of(Map<String, String> single) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    single.forEach((name, value) -> values.put(name, List.of(value)));
    return new Parameters(values);
  }

  /**
   * The value, or {@code null} when absent. An empty value counts as absent (RFC 6749 §3.1:
   * "parameters sent without a value MUST be treated as if they were omitted").
   *
   * @throws OAuthException {@code invalid_request} when the parameter was given more than once
   *                        or holds control characters
   */
  public String get(String name) {
    List<String> list = values.get(name);
    if (list == null) {
      return null;
    }
    if (list.size() > 1) {
      throw OAuthException.invalidRequest(named(name) + " was given more than once");
    }
    String value = list.get(0);
    // Refused when read rather than when decoded: the authorization endpoint must first know
    // whether client and redirect URI are trusted, to redirect (RFC 6749 §4.1.2.1) or not.
    if (!isClean(value)) {
      throw OAuthException.invalidRequest(named(name) + " contains control characters");
    }
    return value.isEmpty() ? null : value;
  }

  /** No C0 controls (CR, LF, NUL, TAB...), DEL or C1 controls. */
  public static boolean isClean(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        return false;
      }
    }
    return true;
  }

  /** Like {@link #get} but the parameter must be present. */
  public String require(String name) {
    String value = get(name);
    if (value == null) {
      throw OAuthException.invalidRequest(named(name) + " is missing");
    }
    return value;
  }

  /**
   * RFC 6749 §3.1 and §3.2: no parameter may be given more than once, even one this endpoint
   * ignores.
   *
   * @throws OAuthException {@code invalid_request} naming the first repeated parameter
   */
  public void rejectRepeated() {
    String repeated = firstRepeated();
    if (repeated != null) {
      throw OAuthException.invalidRequest(named(repeated) + " was given more than once");
    }
  }

  /** The first parameter given more than once, or {@code null}. */
  public String firstRepeated() {
    for (Map.Entry<String, List<String>> entry : values.entrySet()) {
      if (entry.getValue().size() > 1) {
        return entry.getKey();
      }
    }
    return null;
  }

  /** "the parameter code" for a parameter this server reads, "a parameter" for any other name. */
  public static String named(String name) {
    return KNOWN.contains(name) ? "the parameter " + name : "a parameter";
  }

  public boolean isRepeated(String name) {
    List<String> list = values.get(name);
    return list != null && list.size() > 1;
  }

  public boolean has(String name) {
    return get(name) != null;
  }

  public Set<String> names() {
    return values.keySet();
  }
}
