package io.portcullis.it;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Every {@code java.util.logging} record that reaches the root logger while open: Portcullis' own
 * at every level (its loggers are opened up to {@code ALL}), everything else at its usual level.
 * Portcullis logs through {@code System.Logger}, which the JDK routes to JUL; the WAR's classes,
 * loaded by Jetty's webapp class loader, share the root logger with the tests.
 */
final class LogCapture extends Handler implements AutoCloseable {

  private static final SimpleFormatter FORMATTER = new SimpleFormatter();

  private final Logger root = Logger.getLogger("");
  /** Held so the level set on it is not lost to garbage collection while capturing. */
  private final Logger portcullis = Logger.getLogger("io.portcullis");
  private final Level previousLevel;
  private final List<LogRecord> records = new ArrayList<>();

  private LogCapture() {
    previousLevel = portcullis.getLevel();
    setLevel(Level.ALL);
    portcullis.setLevel(Level.ALL);
    root.addHandler(this);
  }

  static LogCapture start() {
    return new LogCapture();
  }

  @Override
  public synchronized void publish(LogRecord record) {
    records.add(record);
  }

  /** Each record as a person reads it: level, logger, formatted message and any exception chain. */
  synchronized List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (LogRecord record : records) {
      StringBuilder line = new StringBuilder()
          .append(record.getLevel()).append(' ').append(record.getLoggerName()).append(": ")
          .append(FORMATTER.formatMessage(record));
      for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
        line.append(" | ").append(t);
      }
      lines.add(line.toString());
    }
    return lines;
  }

  synchronized List<LogRecord> records() {
    return List.copyOf(records);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
    portcullis.setLevel(previousLevel);
  }
}
