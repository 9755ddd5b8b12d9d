package io.portcullis.store;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;

/** Caffeine's time from the injected {@link Clock}, so every expiry is tested without sleeping. */
final class ClockTicker {
  private ClockTicker() {}

  static Ticker of(Clock clock) {
    return () -> {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
  }
}
