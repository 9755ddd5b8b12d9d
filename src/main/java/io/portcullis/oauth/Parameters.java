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
   */
  public String get(String name) {
    List<String> list = values.get(name);
    if (list == null) {
      return null;
    }
    if (list.size() > 1) {
      throw OAuthException.invalidRequest("the parameter " + name + " was given more than once");
    }
    String value = list.get(0);
    return value.isEmpty() ? null : value;
  }

  /** Like {@link #get} but the parameter must be present. */
  public String require(String name) {
    String value = get(name);
    if (value == null) {
      throw OAuthException.invalidRequest("the parameter " + name + " is missing");
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
      throw OAuthException.invalidRequest("the parameter " + repeated + " was given more than once");
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
