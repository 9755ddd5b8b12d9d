package io.portcullis.store;

import java.time.Instant;

/**
 * Failed attempts counted against one subject (a username, a remote address, a client id) in a
 * window that opens with the first failure and closes at {@code windowEnds}; then the count starts
 * again from zero, so every limit lifts by itself.
 */
public record FailureCount(int count, Instant windowEnds) implements Expiring {

  public static final FailureCount NONE = new FailureCount(0, Instant.EPOCH);

  @Override
  public long expiresAtEpochSecond() {
    return windowEnds.getEpochSecond() + (windowEnds.getNano() > 0 ? 1 : 0);
  }
}
