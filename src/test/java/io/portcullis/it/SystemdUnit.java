package io.portcullis.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code Environment=} and {@code ExecStart=} of a systemd unit, to start what it starts. */
record SystemdUnit(Map<String, String> environment, List<String> execStart) {

  static SystemdUnit read(Path file) throws IOException {
    Map<String, String> environment = new LinkedHashMap<>();
    List<String> execStart = null;
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("Environment=")) {
        String assignment = unquote(trimmed.substring("Environment=".length()));
        int eq = assignment.indexOf('=');
        environment.put(assignment.substring(0, eq), assignment.substring(eq + 1));
      } else if (trimmed.startsWith("ExecStart=")) {
        execStart = Arrays.asList(trimmed.substring("ExecStart=".length()).trim().split("\\s+"));
      }
    }
    if (execStart == null) {
      throw new IllegalArgumentException(file + " has no ExecStart=");
    }
    return new SystemdUnit(environment, List.copyOf(execStart));
  }

  /** The same unit with paths replaced, e.g. /opt/tomcat by a test's Tomcat. */
  SystemdUnit replace(Map<String, String> replacements) {
    Map<String, String> environment = new LinkedHashMap<>();
    this.environment.forEach((key, value) -> environment.put(key, apply(value, replacements)));
    return new SystemdUnit(environment, execStart.stream().map(word -> apply(word, replacements)).toList());
  }

  private static String apply(String value, Map<String, String> replacements) {
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      value = value.replace(r.getKey(), r.getValue());
    }
    return value;
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1) : value;
  }
}
