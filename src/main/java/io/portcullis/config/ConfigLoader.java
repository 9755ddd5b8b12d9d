package io.portcullis.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import io.portcullis.json.StrictJson;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the one JSON config file and validates all of it before anything starts (DESIGN 1.2).
 * Every problem is collected with its JSON path, so an operator fixes the file in one pass;
 * unknown keys are problems too, because a misspelt {@code "enforcePkce"} must not silently
 * weaken security.
 */
public final class ConfigLoader {

  /** Context init-parameter and system property naming the file. */
  public static final String CONFIG_PROPERTY = "portcullis.config";
  /** Environment variable naming the file, looked at last. */
  public static final String CONFIG_ENV = "PORTCULLIS_CONFIG";

  // The longest lifetimes accepted; ClientsReader bounds a client's own lifetimes alike.
  static final int MAX_ACCESS_TOKEN_TTL = 31 * 24 * 3600;
  private static final int MAX_CODE_TTL = 3600;
  static final int MAX_REFRESH_TOKEN_TTL = 365 * 24 * 3600;

  private ConfigLoader() {}

  /** DESIGN 1.2: init-parameter, then system property, then environment; first found wins. */
  public static Optional<String> locate(
      String initParameter, Function<String, String> systemProperty, Function<String, String> env) {
    for (String candidate :
        new String[] {initParameter, systemProperty.apply(CONFIG_PROPERTY), env.apply(CONFIG_ENV)}) {
      if (candidate != null && !candidate.isBlank()) {
        return Optional.of(candidate.trim());
      }
    }
    return Optional.empty();
  }

  public static PortcullisConfig load(Path file) throws ConfigException {
    String source = file.toAbsolutePath().toString();
    // Decoded in full before parsing: StrictJson reports any read failure as malformed JSON, which
    // would hide the encoding problem behind "Input length = 1".
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new ConfigException(source, List.of("not UTF-8 text"));
    } catch (IOException e) {
      throw new ConfigException(source, List.of("cannot be read: " + describe(e)));
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // a byte-order mark some Windows editors write
    }
    JsonElement root;
    try {
      root = StrictJson.parse(text);
    } catch (StrictJson.MalformedJsonException e) {
      throw new ConfigException(source, List.of("not valid JSON: " + e.getMessage()));
    }
    return load(source, root);
  }

  public static PortcullisConfig load(String source, JsonElement root) throws ConfigException {
    ConfigProblems problems = new ConfigProblems();
    PortcullisConfig config = new Reading(problems).config(source, root);
    if (!problems.errors().isEmpty()) {
      throw new ConfigException(source, problems.errors());
    }
    return config;
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private record Reading(ConfigProblems problems) {

    PortcullisConfig config(String source, JsonElement root) {
      if (!root.isJsonObject()) {
        problems.error("$", "the config must be a JSON object");
        return null;
      }
      JsonFields top = new JsonFields(root.getAsJsonObject(), "", problems);
      Optional<URI> issuer = issuer(top);
      String realm = top.string("realm", false);
      if (realm == null) {
        realm = "portcullis";
      } else if (realm.isEmpty() || !realm.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')) {
        problems.error("realm", "must be non-empty printable ASCII without quotes or backslashes");
      }
      boolean enforcePkce = top.bool("enforcePkce", true);
      Set<String> pkceMethods = pkceMethods(top);
      Duration codeTtl =
          Duration.ofSeconds(top.number("authorizationCodeTtlSeconds", 600, 1, MAX_CODE_TTL));
      if (codeTtl.getSeconds() > 600) {
        problems.warn("authorizationCodeTtlSeconds",
            "RFC 6749 §4.1.2 recommends at most 600 seconds for authorization codes");
      }
      Duration tokenTtl = Duration.ofSeconds(
          top.number("accessTokenTtlSeconds", 3600, 1, MAX_ACCESS_TOKEN_TTL));
      Duration requestTtl = Duration.ofSeconds(
          top.number("authorizationRequestTtlSeconds", 600, 10, 3600));
      Duration refreshTtl = Duration.ofSeconds(
          top.number("refreshTokenTtlSeconds", 86_400, 60, MAX_REFRESH_TOKEN_TTL));
      String userSource = top.string("userSource", false);
      String approverRole = top.string("approverRole", false);
      Map<String, UserAccount> users = Map.of();
      if (userSource == null || userSource.equals(PortcullisConfig.USERS_FROM_CONFIG)) {
        userSource = PortcullisConfig.USERS_FROM_CONFIG;
        users = UsersReader.read(top, problems);
        if (approverRole != null) {
          problems.error("approverRole", "applies only with \"userSource\": \"container\"");
        }
      } else if (userSource.equals(PortcullisConfig.USERS_FROM_CONTAINER)) {
        if (top.get("users") != null) {
          problems.error("users", "must be absent with \"userSource\": \"container\"; the container's realm "
              + "checks the credentials");
        }
        if (approverRole == null || approverRole.isBlank()) {
          problems.error("approverRole", "is required with \"userSource\": \"container\": the role a "
              + "container user needs to approve requests");
        }
      } else {
        problems.error("userSource", "must be \"config\" or \"container\", not \"" + userSource + "\"");
      }
      Map<String, String> scopeDescriptions = scopeDescriptions(top);
      Map<String, ClientRegistration> clients = ClientsReader.read(top, enforcePkce, tokenTtl, refreshTtl, problems);
      List<RouteRule> routes = RoutesReader.read(top, clients.values(), problems);
      StoreSettings store = store(top);
      top.rejectUnknownKeys(List.of("issuer", "realm", "enforcePkce",
          "pkceMethods", "authorizationCodeTtlSeconds", "accessTokenTtlSeconds", "refreshTokenTtlSeconds",
          "authorizationRequestTtlSeconds", "userSource", "approverRole", "users", "scopeDescriptions",
          "clients", "routes", "store"));
      if (!problems.errors().isEmpty()) {
        return null;
      }
      return new PortcullisConfig(source, issuer, realm, enforcePkce, pkceMethods, codeTtl,
          tokenTtl, refreshTtl, requestTtl, userSource, approverRole, users, scopeDescriptions, clients, routes, store,
          problems.warnings());
    }

    /** {@code "scopeDescriptions": {"email": "See your email address"}}: words for the approval page. */
    Map<String, String> scopeDescriptions(JsonFields top) {
      JsonFields object = top.object("scopeDescriptions");
      Map<String, String> descriptions = new LinkedHashMap<>();
      if (object == null) {
        return descriptions;
      }
      // Its keys are scope names, not fields, so none is unknown.
      for (String scope : object.keys()) {
        JsonElement value = object.get(scope);
        if (!Scopes.isScopeToken(scope)) {
          problems.error(object.at(scope), "\"" + scope + "\" is not a scope token");
        } else if (!(value instanceof JsonPrimitive p) || !p.isString() || p.getAsString().isBlank()
            || p.getAsString().chars().anyMatch(Character::isISOControl)) {
          problems.error(object.at(scope), "must be a non-empty sentence without control characters");
        } else {
          descriptions.put(scope, p.getAsString());
        }
      }
      return descriptions;
    }

    Optional<URI> issuer(JsonFields top) {
      String text = top.string("issuer", false);
      if (text == null) {
        // Then the issuer comes from each request's Host header (and scheme), which the client
        // chooses: metadata and iss would name whatever host a request claims.
        problems.warn("issuer", "is not set, so metadata and iss name whatever host each request's Host header "
            + "claims; set issuer to this deployment's public URL in production");
        return Optional.empty();
      }
      try {
        URI uri = new URI(text);
        // RFC 8414 §2: https (http tolerated for local use), no query, no fragment.
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
            || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
          problems.error("issuer", "must be an http(s) URL with a host and no query or fragment");
          return Optional.empty();
        }
        if ("http".equals(uri.getScheme()) && !isLoopback(uri.getHost())) {
          problems.warn("issuer", "is not https; OAuth 2.0 requires TLS outside local testing");
        }
        // One spelling everywhere (metadata, iss): endpoints are appended to it.
        return Optional.of(text.endsWith("/") ? new URI(text.substring(0, text.length() - 1)) : uri);
      } catch (URISyntaxException e) {
        problems.error("issuer", "not a valid URI: " + e.getReason());
        return Optional.empty();
      }
    }

    Set<String> pkceMethods(JsonFields top) {
      List<String> methods = top.strings("pkceMethods", false);
      if (top.get("pkceMethods") == null) {
        return Set.of("S256");
      }
      Set<String> result = new LinkedHashSet<>();
      for (int i = 0; i < methods.size(); i++) {
        String method = methods.get(i);
        if (!method.equals("S256") && !method.equals("plain")) {
          problems.error("pkceMethods[" + i + "]", "must be \"S256\" or \"plain\", not \"" + method + "\"");
        } else if (!result.add(method)) {
          problems.error("pkceMethods[" + i + "]", "\"" + method + "\" is listed twice");
        }
      }
      if (!result.contains("S256")) {
        problems.error("pkceMethods", "must contain \"S256\" (RFC 7636 §4.2: servers must support it)");
      }
      if (result.contains("plain")) {
        problems.warn("pkceMethods", "\"plain\" is enabled; RFC 9700 §2.1.1 says use S256 only");
      }
      return result;
    }

    StoreSettings store(JsonFields top) {
      JsonFields store = top.object("store");
      StoreSettings defaults = StoreSettings.defaults();
      if (store == null) {
        return defaults;
      }
      String type = store.string("type", false);
      if (type != null && !type.equals(StoreSettings.MEMORY)) {
        problems.error(store.at("type"), "must be \"" + StoreSettings.MEMORY + "\"");
      }
      long pending = store.number("maxPendingAuthorizations", defaults.maxPendingAuthorizations(), 1, 100_000_000);
      long codes = store.number("maxAuthorizationCodes", defaults.maxAuthorizationCodes(), 1, 100_000_000);
      long tokens = store.number("maxAccessTokens", defaults.maxAccessTokens(), 1, 1_000_000_000);
      store.rejectUnknownKeys(List.of(
          "type", "maxPendingAuthorizations", "maxAuthorizationCodes", "maxAccessTokens"));
      return new StoreSettings(StoreSettings.MEMORY, pending, codes, tokens);
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
  }
}
