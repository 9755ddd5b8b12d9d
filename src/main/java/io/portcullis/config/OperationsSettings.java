package io.portcullis.config;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code "operations"}: where the health, metrics and admin endpoints live, and who may use them.
 *
 * @param path the prefix below the context, e.g. {@code /portcullis}: {@code health/live},
 *     {@code health/ready}, {@code metrics} and {@code admin/revoke} below it
 * @param metricsPublic whether {@code metrics} answers without credentials
 * @param operators by username
 */
public record OperationsSettings(String path, boolean metricsPublic, Map<String, Operator> operators) {

  public static final String DEFAULT_PATH = "/portcullis";
  public static final String METRICS = "metrics";
  public static final String ADMIN = "admin";
  public static final Set<String> ROLES = Set.of(METRICS, ADMIN);

  /** Someone who runs Portcullis: a password in the usual schemes, and what they may do. */
  public record Operator(String username, StoredSecret password, Set<String> roles) {
    public Operator {
      roles = Set.copyOf(roles);
    }

    @Override
    public String toString() {
      return "Operator[" + username + ", roles " + roles + "]";
    }
  }

  public OperationsSettings {
    operators = Map.copyOf(operators);
  }

  public static OperationsSettings defaults() {
    return new OperationsSettings(DEFAULT_PATH, false, Map.of());
  }

  public Optional<Operator> operator(String username) {
    return Optional.ofNullable(operators.get(username));
  }

  /** Whether {@code requestPath} (below the context) is one of the operations endpoints' paths. */
  public boolean covers(String requestPath) {
    return requestPath.equals(path) || requestPath.startsWith(path + "/");
  }
}
