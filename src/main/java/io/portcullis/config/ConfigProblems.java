package io.portcullis.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The errors and warnings found while reading the config, each prefixed with its JSON path and
 * kept in the order found, so an operator fixes the file in one pass.
 */
final class ConfigProblems {
  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  void error(String path, String message) {
    errors.add(path + ": " + message);
  }

  void warn(String path, String message) {
    warnings.add(path + ": " + message);
  }

  /** Readers compare counts to tell whether one entry had problems of its own. */
  int errorCount() {
    return errors.size();
  }

  List<String> errors() {
    return errors;
  }

  List<String> warnings() {
    return warnings;
  }
}
