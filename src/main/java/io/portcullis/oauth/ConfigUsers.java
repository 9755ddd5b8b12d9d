package io.portcullis.oauth;

import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.StoredSecret;
import io.portcullis.config.UserAccount;
import java.util.Optional;

/** The default user source: the {@code users} of the config file. */
public final class ConfigUsers implements UserAuthenticator {

  private final PortcullisConfig config;
  /**
   * Checked when the user is unknown, so "no such user" takes as long as "wrong password" and
   * the response time does not reveal which usernames exist.
   */
  private final StoredSecret decoy;

  public ConfigUsers(PortcullisConfig config) {
    this.config = config;
    this.decoy = StoredSecret.decoyFor(config.users().values().stream().map(UserAccount::password).toList());
  }

  @Override
  public Optional<String> authenticate(String username, String password) {
    if (username == null || password == null) {
      return Optional.empty();
    }
    Optional<UserAccount> user = config.user(username);
    if (user.isEmpty()) {
      decoy.matches(password);
      return Optional.empty();
    }
    return user.get().password().matches(password) ? Optional.of(username) : Optional.empty();
  }
}
