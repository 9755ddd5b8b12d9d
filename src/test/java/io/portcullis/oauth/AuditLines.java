package io.portcullis.oauth;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The audit trail's lines written while it is open ({@code try (AuditLines audit = new AuditLines())}). */
final class AuditLines extends Handler implements AutoCloseable {

  private final Logger logger = Logger.getLogger(Audit.LOGGER);
  private final List<String> lines = new CopyOnWriteArrayList<>();

  AuditLines() {
    logger.addHandler(this);
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void publish(LogRecord record) {
    lines.add(record.getMessage());
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
