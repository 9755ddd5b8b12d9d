package io.portcullis.config;

import com.google.gson.JsonElement;
import io.portcullis.json.StrictJson;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 *
 * <p>Each section of the file has a reader of its own ({@link ClientsReader}, {@link RoutesReader},
 * ...); this class reads the single-value keys and puts the config together, so a new section is
 * a new reader and a line in {@link #read}.
 */
public final class ConfigLoader {

  /** Context init-parameter and system property naming the file. */
  public static final String CONFIG_PROPERTY = "portcullis.config";
  /** Environment variable naming the file, looked at last. */
  public static final String CONFIG_ENV = "PORTCULLIS_CONFIG";

  /** The top-level keys, each read here or by the reader of its section. */
  static final List<String> KEYS = List.of("issuer", "realm", "enforcePkce",
      "pkceMethods", "authorizationCodeTtlSeconds", "accessTokenTtlSeconds", "refreshTokenTtlSeconds",
      "authorizationRequestTtlSeconds", "userSource", "approverRole", "users", "scopeDescriptions",
      "clients", "routes", "store", "throttling", "requireHttps", "trustedProxies", "forwardedHeader", "requestBodyTimeoutSeconds", "maxLiveTokensPerClient",
      "maxGrantLifetimeSeconds", "operations");

  // The longest lifetimes accepted; ClientsReader bounds a client's own lifetimes alike.
  public static final int MAX_ACCESS_TOKEN_TTL = 31 * 24 * 3600;
  public static final int MAX_CODE_TTL = 3600;
  static final int MAX_REFRESH_TOKEN_TTL = 365 * 24 * 3600;
  static final long MAX_LIVE_TOKENS = 1_000_000_000;

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
    return load(file, read(file));
  }

  /**
   * The file's bytes, read once: what a start-up builds its config from is what hot reload
   * compares later versions with, so a change made while the webapp starts is not missed.
   */
  public static byte[] read(Path file) throws ConfigException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(file.toAbsolutePath().toString(), List.of("cannot be read: " + describe(e)));
    }
  }

  /** {@code content} as read from {@code file} (a reload parses the very bytes it compared). */
  public static PortcullisConfig load(Path file, byte[] content) throws ConfigException {
    String source = file.toAbsolutePath().toString();
    return load(source, parse(content, source));
  }

  /** {@code content} of a config file as JSON: it must be UTF-8 (a byte-order mark is skipped). */
  static JsonElement parse(byte[] content, String source) throws ConfigException {
    // Decoded in full before parsing: StrictJson reports any read failure as malformed JSON, which
    // would hide the encoding problem behind "Input length = 1".
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(source, List.of("not UTF-8 text"));
    }
    return parse(text, source);
  }

  private static JsonElement parse(String text, String source) throws ConfigException {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // a byte-order mark some Windows editors write
    }
    try {
      return StrictJson.parse(text);
    } catch (StrictJson.MalformedJsonException e) {
      throw new ConfigException(source, List.of("not valid JSON: " + e.getMessage()));
    }
  }

  public static PortcullisConfig load(String source, JsonElement root) throws ConfigException {
    ConfigProblems problems = new ConfigProblems();
    PortcullisConfig config = read(source, root, problems);
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

  /** {@code "realm"} of the {@code WWW-Authenticate} challenge, {@code portcullis} by default. */
  static String realm(JsonFields top, ConfigProblems problems) {
    String realm = top.string("realm", false);
    if (realm == null) {
      return "portcullis";
    }
    if (realm.isEmpty() || !realm.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')) {
      problems.error("realm", "must be non-empty printable ASCII without quotes or backslashes");
    }
    return realm;
  }

  /** The sections are read in the order their problems have always been reported. */
  private static PortcullisConfig read(String source, JsonElement root, ConfigProblems problems) {
    if (!root.isJsonObject()) {
      problems.error("$", "the config must be a JSON object");
      return null;
    }
    JsonFields top = new JsonFields(root.getAsJsonObject(), "", problems);
    Optional<URI> issuer = IssuerReader.read(top, problems);
    String realm = realm(top, problems);
    boolean enforcePkce = top.bool("enforcePkce", true);
    Set<String> pkceMethods = PkceMethodsReader.read(top, problems);
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
    Duration grantLifetime = Duration.ofSeconds(
        top.number("maxGrantLifetimeSeconds", 30 * 86_400, 60, MAX_REFRESH_TOKEN_TTL));
    long liveTokens = top.number("maxLiveTokensPerClient", ClientRegistration.DEFAULT_MAX_LIVE_TOKENS, 1,
        MAX_LIVE_TOKENS);
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
    Map<String, String> scopeDescriptions = ScopeDescriptionsReader.read(top, problems);
    Map<String, ClientRegistration> clients = ClientsReader.read(top, enforcePkce, tokenTtl, refreshTtl, liveTokens,
        problems);
    List<RouteRule> routes = RoutesReader.read(top, clients.values(), problems);
    StoreSettings store = StoreReader.read(top, problems);
    ThrottlingSettings throttling = ThrottlingReader.read(top);
    TransportSettings transport = TransportReader.read(top, problems);
    OperationsSettings operations = OperationsReader.read(top, problems);
    top.rejectUnknownKeys(KEYS);
    if (!problems.errors().isEmpty()) {
      return null;
    }
    return new PortcullisConfig(source, issuer, realm, enforcePkce, pkceMethods, codeTtl,
        tokenTtl, refreshTtl, grantLifetime, requestTtl, userSource, approverRole, users, scopeDescriptions, clients, routes, store,
        throttling, transport, operations, problems.warnings());
  }
}
