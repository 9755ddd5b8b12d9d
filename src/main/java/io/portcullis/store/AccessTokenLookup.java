package io.portcullis.store;

import java.util.Optional;

/** Where the bearer filter looks a token up: the store itself, or a near-cache in front of it. */
@FunctionalInterface
public interface AccessTokenLookup {

  /** The token, unless unknown, expired or revoked. */
  Optional<AccessToken> findAccessToken(String token);
}
