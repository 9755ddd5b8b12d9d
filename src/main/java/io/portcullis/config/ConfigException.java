package io.portcullis.config;

import java.util.List;

/** The config file cannot be used; {@link #problems()} lists every reason, each with its JSON path. */
public final class ConfigException extends Exception {
  private final String source;
  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(format(source, problems), null, false, false);
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  public String source() {
    return source;
  }

  public List<String> problems() {
    return problems;
  }

  private static String format(String source, List<String> problems) {
    StringBuilder text = new StringBuilder("invalid Portcullis configuration ").append(source);
    if (problems.size() == 1) {
      return text.append(": ").append(problems.get(0)).toString();
    }
    text.append(" (").append(problems.size()).append(" problems):");
    for (String problem : problems) {
      text.append("\n  ").append(problem);
    }
    return text.toString();
  }
}
