package io.portcullis.store;

import java.time.Clock;

/** A stored entry that carries its own expiry, from which the store derives its TTL. */
public interface Expiring {
  long expiresAtEpochSecond();

  default boolean isExpired(Clock clock) {
    return clock.instant().getEpochSecond() >= expiresAtEpochSecond();
  }
}
