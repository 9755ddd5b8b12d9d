package io.portcullis.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the guard plugin's config (DESIGN 1.7): {@code realm}, {@code routes}, and either
 * {@code store} (the Portcullis nodes' shared Redis) or {@code introspection}. It needs no clients
 * or users, so its file can be a few lines; it can also be the WAR's own file, whose other keys
 * it leaves to the WAR (and then refuses the tokens of clients that file no longer lists).
 * Everything is validated before the host webapp serves a request; a problem stops it.
 */
public final class GuardConfigLoader {

  private GuardConfigLoader() {}

  public static GuardConfig load(Path file) throws ConfigException {
    return load(file, ConfigLoader.read(file));
  }

  /** {@code content} as read from {@code file} (a reload parses the very bytes it compared). */
  public static GuardConfig load(Path file, byte[] content) throws ConfigException {
    String source = file.toAbsolutePath().toString();
    return load(source, ConfigLoader.parse(content, source));
  }

  public static GuardConfig load(String source, JsonElement root) throws ConfigException {
    ConfigProblems problems = new ConfigProblems();
    GuardConfig config = read(source, root, problems);
    if (!problems.errors().isEmpty()) {
      throw new ConfigException(source, problems.errors());
    }
    return config;
  }

  private static GuardConfig read(String source, JsonElement root, ConfigProblems problems) {
    if (!root.isJsonObject()) {
      problems.error("$", "the config must be a JSON object");
      return null;
    }
    JsonFields top = new JsonFields(root.getAsJsonObject(), "", problems);
    String realm = ConfigLoader.realm(top, problems);
    List<RouteRule> routes = RoutesReader.read(top, Optional.empty(), problems);
    if (top.get("routes") == null) {
      problems.warn("routes", "none listed: every path of this webapp needs a valid bearer token, with any scope");
    }
    Optional<StoreSettings> store = Optional.empty();
    Optional<IntrospectionSettings> introspection = Optional.empty();
    if (top.get("store") != null) {
      StoreSettings settings = StoreReader.read(top, problems);
      if (settings.redis().isEmpty()) {
        problems.error("store.type", "the guard shares the tokens of the Portcullis nodes: \"redis\" (their Redis), "
            + "or leave \"store\" out and use \"introspection\"");
      }
      store = Optional.of(settings);
    }
    JsonFields section = top.object("introspection");
    if (section != null) {
      introspection = Optional.of(IntrospectionReader.read(section, problems));
    }
    if (store.isPresent() == introspection.isPresent()) {
      problems.error("$", "the guard needs exactly one of \"store\" (the Portcullis nodes' shared Redis) and "
          + "\"introspection\" (a Portcullis node's RFC 7662 endpoint)");
    }
    Optional<Set<String>> clientIds = names(top.get("clients"), "clientId");
    List<String> known = new ArrayList<>(List.of("realm", "routes", "store", "introspection"));
    // The WAR's keys are the WAR's to check; the guard only looks past them.
    for (String key : ConfigLoader.KEYS) {
      if (!known.contains(key)) {
        top.get(key);
        known.add(key);
      }
    }
    top.rejectUnknownKeys(known);
    if (!problems.errors().isEmpty()) {
      return null;
    }
    // The nodes' file (the one with clients) lists who approves — nobody when it has no users —
    // unless the container's users do; a guard's own file lists no one.
    JsonElement userSource = top.get("userSource");
    boolean containerUsers = userSource != null && userSource.isJsonPrimitive()
        && "container".equals(userSource.getAsString());
    Optional<Set<String>> listed = names(top.get("users"), "username");
    Optional<Set<String>> usernames = containerUsers ? Optional.empty()
        : clientIds.isPresent() ? Optional.of(listed.orElse(Set.of())) : listed;
    return new GuardConfig(source, realm, routes, store, introspection, clientIds, usernames, problems.warnings());
  }

  /** The {@code key} of every object in the array {@code list} (the clients' ids, the users' names); none without the array. */
  private static Optional<Set<String>> names(JsonElement list, String key) {
    if (list == null || !list.isJsonArray()) {
      return Optional.empty();
    }
    Set<String> names = new HashSet<>();
    for (JsonElement entry : (JsonArray) list) {
      if (entry.isJsonObject()) {
        JsonElement name = ((JsonObject) entry).get(key);
        if (name != null && name.isJsonPrimitive() && name.getAsJsonPrimitive().isString()) {
          names.add(name.getAsString());
        }
      }
    }
    return Optional.of(names);
  }
}
