package io.portcullis.config;

import java.util.Objects;

/** A gateway user who may approve authorization requests. */
public record UserAccount(String username, StoredSecret password) {
  public UserAccount {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "UserAccount[" + username + "]";
  }
}
