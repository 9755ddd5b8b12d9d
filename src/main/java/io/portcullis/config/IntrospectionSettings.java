package io.portcullis.config;

import java.net.URI;
import java.time.Duration;

/**
 * {@code "introspection": {…}} of the guard: a Portcullis node's RFC 7662 endpoint, asked about
 * every bearer token the guard has not seen lately.
 *
 * @param url             the introspection endpoint, {@code https://…/invoke/pub.apigateway.oauth2/introspectToken}
 * @param clientId        a client registered with {@code "resourceServer": true}
 * @param clientSecret    its secret, or {@code null} when {@code clientSecretEnv} names it
 * @param clientSecretEnv the environment variable holding the secret, or {@code null}
 * @param cache           how long an active answer may be reused (0: never); never past the
 *                        token's {@code exp}. The longest a revocation takes to reach the guard.
 * @param timeout         how long one introspection may take, from connecting to the last byte
 */
public record IntrospectionSettings(
    URI url,
    String clientId,
    String clientSecret,
    String clientSecretEnv,
    Duration cache,
    Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(2000);

  /** The secret, from the config or from the environment. */
  public String secret(java.util.function.Function<String, String> environment) {
    if (clientSecret != null) {
      return clientSecret;
    }
    String value = environment.apply(clientSecretEnv);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException("introspection.clientSecretEnv names the environment variable "
          + clientSecretEnv + ", which is not set");
    }
    return value;
  }

  @Override
  public String toString() {
    return "IntrospectionSettings[url=" + url + ", clientId=" + clientId + ", cache=" + cache + ", timeout="
        + timeout + "]";
  }
}
