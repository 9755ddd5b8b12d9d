package io.portcullis.store;

import java.time.Instant;

/**
 * Attempts counted against one subject (a username, a remote address, a client id) in a window
 * that opens with the first attempt and closes at {@code windowEnds}; then the count starts again
 * from zero, so every limit lifts by itself.
 *
 * <p>An attempt is counted before its password or secret is checked, as {@code pending}; once
 * checked it is either taken back (it was right) or stays as a failure. {@code count} holds both,
 * so parallel attempts can never all slip under a limit; {@link #confirmed()} tells failures from
 * attempts still being checked.
 */
public record FailureCount(int count, int pending, Instant windowEnds) implements Expiring {

  public static final FailureCount NONE = new FailureCount(0, 0, Instant.EPOCH);

  /** Failures already checked: {@code count} without the attempts still pending. */
  public int confirmed() {
    return count - pending;
  }

  @Override
  public long expiresAtEpochSecond() {
    return windowEnds.getEpochSecond() + (windowEnds.getNano() > 0 ? 1 : 0);
  }
}
