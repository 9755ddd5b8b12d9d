package io.portcullis.oauth;

import java.util.Optional;

/**
 * Checks the credentials a gateway user types on the approval page: against the config file's
 * users ({@link ConfigUsers}) or the servlet container's own realm (in the web layer).
 */
@FunctionalInterface
public interface UserAuthenticator {

  /** The user's name when the credentials are right and the user may approve; empty otherwise. */
  Optional<String> authenticate(String username, String password);
}
