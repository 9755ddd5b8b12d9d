package io.portcullis.config;

import com.google.gson.JsonArray;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code "operations"}: {@code path} ({@code /portcullis}), {@code metricsPublic} (false) and
 * {@code operators}, each a username, a password in the usual schemes and roles among
 * {@code metrics} and {@code admin}.
 */
final class OperationsReader {
  private OperationsReader() {}

  /** Segments of letters, digits and {@code -._~}; no trailing slash, no dot segments. */
  private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+");
  /** Where Portcullis answers already: the operations endpoints must not shadow any of it. */
  private static final List<String> TAKEN = List.of("/invoke", "/.well-known");

  static OperationsSettings read(JsonFields top, ConfigProblems problems) {
    JsonFields operations = top.object("operations");
    if (operations == null) {
      return OperationsSettings.defaults();
    }
    String given = operations.string("path", false);
    String path = given == null ? OperationsSettings.DEFAULT_PATH : given;
    if (!PATH.matcher(path).matches() || path.contains("/./") || path.endsWith("/.")) {
      problems.error(operations.at("path"), "must be a path such as \"/portcullis\": segments of letters, digits "
          + "and -._~, starting with / and without a trailing /");
    } else if (TAKEN.stream().anyMatch(taken -> path.equals(taken) || path.startsWith(taken + "/")
        || taken.startsWith(path + "/"))) {
      problems.error(operations.at("path"), "must not be or contain " + String.join(" or ", TAKEN)
          + ", where the OAuth endpoints answer");
    }
    boolean metricsPublic = operations.bool("metricsPublic", false);
    Map<String, OperationsSettings.Operator> operators = new LinkedHashMap<>();
    JsonArray array = operations.array("operators", false);
    if (array != null) {
      operations.forEachObject("operators", array, operator -> {
        String username = operator.string("username", true);
        String password = operator.string("password", true);
        List<String> roles = operator.strings("roles", true);
        operator.rejectUnknownKeys(List.of("username", "password", "roles"));
        int errorsBefore = problems.errorCount();
        if (username != null && (username.isEmpty() || username.contains(":")
            || username.chars().anyMatch(Character::isISOControl))) {
          problems.error(operator.at("username"), "must be non-empty, without ':' or control characters "
              + "(it is sent in HTTP Basic)");
        } else if (username != null && operators.containsKey(username)) {
          problems.error(operator.at("username"), "\"" + username + "\" is defined twice");
        }
        StoredSecret secret = SecretReader.read(operator.at("password"), password, problems);
        Set<String> granted = new LinkedHashSet<>();
        if (roles != null) {
          for (String role : roles) {
            if (!OperationsSettings.ROLES.contains(role)) {
              problems.error(operator.at("roles"), "\"" + role + "\" is not a role; the roles are \"metrics\" "
                  + "and \"admin\"");
            }
            granted.add(role);
          }
          if (roles.isEmpty()) {
            problems.error(operator.at("roles"), "must name at least one of \"metrics\" and \"admin\"");
          }
        }
        if (problems.errorCount() == errorsBefore && username != null && secret != null && roles != null) {
          operators.put(username, new OperationsSettings.Operator(username, secret, granted));
        }
      });
    }
    operations.rejectUnknownKeys(List.of("path", "metricsPublic", "operators"));
    if (metricsPublic) {
      problems.warn(operations.at("metricsPublic"), "metrics answer anyone who can reach them: client ids, "
          + "route paths and request rates; keep them behind the network's own access control");
    }
    return new OperationsSettings(path, metricsPublic, operators);
  }
}
