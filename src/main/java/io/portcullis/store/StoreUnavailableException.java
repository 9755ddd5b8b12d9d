package io.portcullis.store;

/**
 * The store could not answer. Callers deny: a store failure never grants access. The message
 * describes the failure and never holds a code or token.
 */
public class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
