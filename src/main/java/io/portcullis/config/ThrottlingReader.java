package io.portcullis.config;

import java.time.Duration;
import java.util.List;

/** Reads {@code "throttling"}: the failure limits per username, address and client, and their window. */
final class ThrottlingReader {
  private ThrottlingReader() {}

  /** @return {@link ThrottlingSettings#defaults()} for what the file leaves out */
  static ThrottlingSettings read(JsonFields top) {
    JsonFields throttling = top.object("throttling");
    ThrottlingSettings defaults = ThrottlingSettings.defaults();
    if (throttling == null) {
      return defaults;
    }
    long window = throttling.number("windowSeconds", defaults.window().getSeconds(), 1, 86_400);
    long user = throttling.number("userFailures", defaults.userFailures(), 1, 1_000_000);
    long address = throttling.number("addressFailures", defaults.addressFailures(), 1, 1_000_000);
    long client = throttling.number("clientFailures", defaults.clientFailures(), 1, 1_000_000);
    long hashing = throttling.number("concurrentPasswordChecks", defaults.concurrentPasswordChecks(), 1, 1024);
    throttling.rejectUnknownKeys(List.of("windowSeconds", "userFailures", "addressFailures", "clientFailures",
        "concurrentPasswordChecks"));
    return new ThrottlingSettings(Duration.ofSeconds(window), (int) user, (int) address, (int) client, (int) hashing);
  }
}
