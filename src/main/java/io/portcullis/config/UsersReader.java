package io.portcullis.config;

import com.google.gson.JsonArray;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code "users"}: the people who may approve authorization requests when
 * {@code "userSource"} is {@code "config"}, each a username and a hashed password.
 */
final class UsersReader {
  private UsersReader() {}

  /** @return the valid users by username; a user with any problem is left out */
  static Map<String, UserAccount> read(JsonFields top, ConfigProblems problems) {
    JsonArray array = top.array("users", false);
    Map<String, UserAccount> users = new LinkedHashMap<>();
    if (array == null) {
      problems.warn(top.at("users"), "no users are configured, so no authorization request can be approved");
      return users;
    }
    top.forEachObject("users", array, user -> {
      String username = user.string("username", true);
      String password = user.string("password", true);
      user.rejectUnknownKeys(List.of("username", "password"));
      int errorsBefore = problems.errorCount();
      if (username != null && (username.isEmpty() || username.chars().anyMatch(Character::isISOControl))) {
        problems.error(user.at("username"), "must be non-empty and without control characters");
      } else if (username != null && users.containsKey(username)) {
        problems.error(user.at("username"), "\"" + username + "\" is defined twice");
      }
      // The password is checked even when the username is wrong: every problem in one pass.
      StoredSecret secret = SecretReader.read(user.at("password"), password, problems);
      if (secret instanceof StoredSecret.Sha256) {
        problems.error(user.at("password"), "{sha256} is too fast for passwords people choose; "
            + "use {pbkdf2-sha256} (the hash-secret command makes one)");
      }
      if (problems.errorCount() == errorsBefore && username != null && secret != null) {
        users.put(username, new UserAccount(username, secret));
      }
    });
    return users;
  }
}
