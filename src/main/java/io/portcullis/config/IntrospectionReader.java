package io.portcullis.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/**
 * Reads the guard's {@code "introspection"}: {@code url}, {@code clientId}, {@code clientSecret}
 * or {@code clientSecretEnv}, {@code cacheSeconds}, {@code timeoutMillis}.
 */
final class IntrospectionReader {
  private IntrospectionReader() {}

  static final long MAX_CACHE_SECONDS = 3600;

  static IntrospectionSettings read(JsonFields section, ConfigProblems problems) {
    URI url = url(section, problems);
    String clientId = section.string("clientId", true);
    if (clientId != null && (clientId.isEmpty() || !AsciiText.isVisible(clientId))) {
      problems.error(section.at("clientId"), "must be a non-empty printable ASCII client_id");
    }
    String secret = section.string("clientSecret", false);
    String secretEnv = section.string("clientSecretEnv", false);
    if ((secret == null) == (secretEnv == null)) {
      problems.error(section.path(), "needs exactly one of \"clientSecret\" and \"clientSecretEnv\" (the name of an "
          + "environment variable holding the secret)");
    } else if (secretEnv != null && !secretEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      problems.error(section.at("clientSecretEnv"), "must be the name of an environment variable");
    } else if (secret != null && secret.isEmpty()) {
      problems.error(section.at("clientSecret"), "must not be empty");
    }
    long cacheSeconds = section.number("cacheSeconds", 0, 0, MAX_CACHE_SECONDS);
    long timeout = section.number("timeoutMillis", IntrospectionSettings.DEFAULT_TIMEOUT.toMillis(), 10, 60_000);
    section.rejectUnknownKeys(List.of("url", "clientId", "clientSecret", "clientSecretEnv", "cacheSeconds",
        "timeoutMillis"));
    return new IntrospectionSettings(url, clientId, secret, secretEnv, Duration.ofSeconds(cacheSeconds),
        Duration.ofMillis(timeout));
  }

  private static URI url(JsonFields section, ConfigProblems problems) {
    String text = section.string("url", true);
    if (text == null) {
      return null;
    }
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      problems.error(section.at("url"), "not a valid URL: " + e.getReason());
      return null;
    }
    if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme()) || url.getHost() == null) {
      problems.error(section.at("url"), "must be an http:// or https:// URL of a Portcullis introspection endpoint");
      return null;
    }
    if (url.getRawUserInfo() != null || url.getRawFragment() != null || url.getRawQuery() != null) {
      problems.error(section.at("url"), "must have no user information, query or fragment");
      return null;
    }
    if ("http".equals(url.getScheme()) && !isLoopback(url.getHost())) {
      problems.warn(section.at("url"), "is plain http to another host: the guard's client secret and every "
          + "bearer token it checks cross the network readable; use https");
    }
    return url;
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }
}
