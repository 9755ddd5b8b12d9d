package io.portcullis.store;

import java.time.Instant;

/**
 * A cut-off ({@link TokenStore#revokeIssuedBefore}) as a store keeps it: whatever its subject was
 * issued in or before the second {@code atEpochSecond} is refused, until {@code expiresAtEpochSecond},
 * when all of it has expired anyway and the cut-off is forgotten.
 */
record CutOff(long atEpochSecond, long expiresAtEpochSecond) implements Expiring {

  /**
   * {@code cutoff} to its second ({@code issuedAt <= at} refuses what was issued in that second);
   * {@code until} rounded up, so that it is never forgotten early.
   *
   * @throws IllegalArgumentException when {@code until} is not after {@code cutoff}: it would be
   *                                  forgotten before it refused anything
   */
  static CutOff of(Instant cutoff, Instant until) {
    if (!until.isAfter(cutoff)) {
      throw new IllegalArgumentException("a cut-off must be remembered past its own instant");
    }
    return new CutOff(cutoff.getEpochSecond(), until.getEpochSecond() + (until.getNano() > 0 ? 1 : 0));
  }

  /** Whether it refuses what was issued at {@code issuedAtEpochSecond}: in or before its second. */
  boolean refuses(long issuedAtEpochSecond) {
    return issuedAtEpochSecond <= atEpochSecond;
  }

  /** Only forward: the later cut-off, remembered as long as either needed. */
  CutOff andThen(CutOff later) {
    return new CutOff(Math.max(atEpochSecond, later.atEpochSecond),
        Math.max(expiresAtEpochSecond, later.expiresAtEpochSecond));
  }

  Instant at() {
    return Instant.ofEpochSecond(atEpochSecond);
  }
}
