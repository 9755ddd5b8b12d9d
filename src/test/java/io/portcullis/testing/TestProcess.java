package io.portcullis.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Processes the tests start themselves: as a JUnit 5 extension in a static field, started before
 * the class's first test and closed after its last; or started and closed by hand.
 */
public interface TestProcess extends BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** Starts, and returns once it answers. */
  TestProcess start() throws Exception;

  /** Stops; never fails. */
  @Override
  void close();

  @Override
  default void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  default void afterAll(ExtensionContext context) {
    close();
  }
}
