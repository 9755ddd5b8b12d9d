package io.portcullis.config;

/**
 * Reads a stored secret, a user's {@code password} or a client's {@code clientSecret}, in the
 * {@code {scheme}value} form of {@link StoredSecret}; a plain-text secret works but is warned of.
 */
final class SecretReader {
  private SecretReader() {}

  /**
   * Takes the string already read, not the key: a user's password is parsed only after the rest of
   * the user is checked, so the problems come in the order the readers have always given them.
   *
   * @return null when {@code encoded} is null or cannot be parsed (which is reported)
   */
  static StoredSecret read(String path, String encoded, ConfigProblems problems) {
    if (encoded == null) {
      return null;
    }
    try {
      StoredSecret secret = StoredSecret.parse(encoded);
      if (secret instanceof StoredSecret.Noop) {
        problems.warn(path, "is stored in plain text ({noop}); store a hash instead");
      }
      return secret;
    } catch (IllegalArgumentException e) {
      problems.error(path, e.getMessage());
      return null;
    }
  }
}
