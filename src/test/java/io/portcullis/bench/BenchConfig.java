package io.portcullis.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.StoredSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Portcullis config the benchmark runs against, and the credentials it uses.
 *
 * <ul>
 *   <li>{@value #FAST_USER}: a {@code {noop}} password, so a flow measures the protocol and not
 *       password hashing;
 *   <li>{@value #PBKDF2_USER}: a {@code {pbkdf2-sha256}} password at
 *       {@link StoredSecret#DEFAULT_PBKDF2_ITERATIONS} iterations, what an operator should
 *       deploy, to show what hashing costs;
 *   <li>one confidential client whose secret is stored as {@code {sha256}}, the fast scheme the
 *       README recommends for long random client secrets;
 *   <li>{@code /public/*} marked public and {@code /guarded/*} needing scope {@code email}. Both
 *       are answered by the WAR's own RouteEchoServlet, so the only difference between them is
 *       the bearer filter's work.
 * </ul>
 */
final class BenchConfig {

  static final String CLIENT_ID = "portcullis-bench";
  static final String CLIENT_SECRET = "bench-client-secret-0123456789abcdef0123456789abcdef";
  static final String REDIRECT_URI = "http://127.0.0.1/callback";
  static final String SCOPE = "email";
  static final String FAST_USER = "bench";
  static final String FAST_PASSWORD = "bench-password";
  static final String PBKDF2_USER = "bench-pbkdf2";
  static final String PBKDF2_PASSWORD = "bench-pbkdf2-password";
  static final String PUBLIC_PATH = "/public/item";
  static final String GUARDED_PATH = "/guarded/item";

  private BenchConfig() {}

  static JsonObject json() {
    return json(null);
  }

  /**
   * The benchmark config with {@code store} as its {@code "store"} section, or without one (the
   * default memory store) when null.
   */
  static JsonObject json(JsonObject store) {
    JsonObject root = new JsonObject();
    root.addProperty("enforcePkce", true);
    root.addProperty("authorizationCodeTtlSeconds", 600);
    root.addProperty("accessTokenTtlSeconds", 3600);
    // One client issues millions of tokens here: its live-token quota must not be what is measured.
    root.addProperty("maxLiveTokensPerClient", 1_000_000_000);

    JsonArray users = new JsonArray();
    users.add(user(FAST_USER, "{noop}" + FAST_PASSWORD));
    users.add(user(PBKDF2_USER, StoredSecret.hash(StoredSecret.PBKDF2, PBKDF2_PASSWORD)));
    root.add("users", users);

    JsonObject client = new JsonObject();
    client.addProperty("clientId", CLIENT_ID);
    client.addProperty("clientSecret", StoredSecret.hash(StoredSecret.SHA256, CLIENT_SECRET));
    client.addProperty("name", "Benchmark client");
    JsonArray redirects = new JsonArray();
    redirects.add(REDIRECT_URI);
    client.add("redirectUris", redirects);
    JsonArray scopes = new JsonArray();
    scopes.add(SCOPE);
    client.add("scopes", scopes);
    JsonArray grants = new JsonArray();
    grants.add("authorization_code");
    grants.add("client_credentials");
    client.add("grantTypes", grants);
    JsonArray clients = new JsonArray();
    clients.add(client);
    root.add("clients", clients);

    JsonArray routes = new JsonArray();
    JsonObject open = new JsonObject();
    open.addProperty("path", "/public/*");
    open.addProperty("public", true);
    routes.add(open);
    JsonObject guarded = new JsonObject();
    guarded.addProperty("path", "/guarded/*");
    JsonArray needed = new JsonArray();
    needed.add(SCOPE);
    guarded.add("scopes", needed);
    routes.add(guarded);
    root.add("routes", routes);
    if (store != null) {
      root.add("store", store);
    }
    return root;
  }

  /**
   * {@code "store": {"type": "redis", "uri": …, "nearCacheMillis": …}}; {@code keyPrefix} keeps
   * two configs on one Redis apart (null: the default prefix).
   */
  static JsonObject redisStore(String uri, String keyPrefix, long nearCacheMillis) {
    JsonObject store = new JsonObject();
    store.addProperty("type", "redis");
    store.addProperty("uri", uri);
    if (keyPrefix != null) {
      store.addProperty("keyPrefix", keyPrefix);
    }
    store.addProperty("nearCacheMillis", nearCacheMillis);
    return store;
  }

  private static JsonObject user(String username, String password) {
    JsonObject user = new JsonObject();
    user.addProperty("username", username);
    user.addProperty("password", password);
    return user;
  }

  /** The benchmark config with {@code store} as its store section (null: memory), loaded as the WAR loads its file. */
  static PortcullisConfig load(JsonObject store) throws ConfigException {
    return ConfigLoader.load("benchmark config", JsonParser.parseString(json(store).toString()));
  }

  /** Writes the config to {@code file} (or a new temporary file when null) and returns its path. */
  static Path write(Path file) throws IOException {
    return write(file, json());
  }

  /** Writes {@code config} to {@code file} (or a new temporary file when null) and returns its path. */
  static Path write(Path file, JsonObject config) throws IOException {
    Path target = file != null ? file : Files.createTempFile("portcullis-bench", ".json");
    Files.writeString(target, config.toString());
    return target;
  }
}
