package io.portcullis.it;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Every {@code java.util.logging} record published while open, at every level. Portcullis logs
 * through {@code System.Logger}, which the JDK routes to JUL's root logger; the WAR's classes,
 * loaded by Jetty's webapp class loader, share that root with the tests.
 */
final class LogCapture extends Handler implements AutoCloseable {

  private static final SimpleFormatter FORMATTER = new SimpleFormatter();

  private final Logger root = Logger.getLogger("");
  private final Level previousLevel;
  private final List<LogRecord> records = new ArrayList<>();

  private LogCapture() {
    previousLevel = root.getLevel();
    setLevel(Level.ALL);
    root.setLevel(Level.ALL);
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
    root.setLevel(previousLevel);
  }
}
