package io.portcullis.tools.webmethods;

/**
 * The export cannot be imported at all: not a ZIP or JSON document, broken JSON, an archive that
 * looks like an attack, an OAuth client without an id. The message says what and where, and never
 * repeats a value of the export (it may hold a clear-text secret).
 */
public final class ExportException extends Exception {
  public ExportException(String message) {
    super(message, null, false, false);
  }
}
