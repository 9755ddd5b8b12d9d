package io.portcullis.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.portcullis.config.IntrospectionSettings;
import io.portcullis.json.StrictJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The guard plugin's token check against a Portcullis node (RFC 7662): each bearer token is sent
 * to the node's introspection endpoint, authenticated as a {@code resourceServer} client.
 *
 * <ul>
 *   <li>An active access token is kept for at most {@code cacheSeconds}, never past its
 *       {@code exp}: the longest a revocation on the node takes to reach this guard. Inactive
 *       answers are not kept, so a revoked or unknown token is asked about every time.
 *   <li>Anything but a well-formed answer — the node unreachable, slow past {@code timeoutMillis},
 *       refusing the guard's credentials, answering an error or not JSON — is a
 *       {@link StoreUnavailableException}: the filter answers 503, never lets the request pass.
 *   <li>Only access tokens count: an answer whose {@code token_type} is not {@code Bearer} (a
 *       refresh token), or that has none, is no bearer token.
 * </ul>
 */
public final class RemoteIntrospection implements AccessTokenLookup, AutoCloseable {

  /** An introspection answer is a few hundred bytes; a larger one is not from a Portcullis node. */
  static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final long MAX_CACHED = 100_000;

  private final IntrospectionSettings settings;
  private final String authorization;
  private final Clock clock;
  private final ExecutorService executor;
  private final HttpClient http;
  private final Cache<SecretKey, AccessToken> active;

  /** @param environment where {@code clientSecretEnv} is looked up */
  public RemoteIntrospection(IntrospectionSettings settings, Clock clock, Function<String, String> environment) {
    this.settings = settings;
    this.clock = clock;
    // RFC 6749 §2.3.1: both form-urlencoded before Base64.
    this.authorization = "Basic " + Base64.getEncoder().encodeToString((form(settings.clientId()) + ":"
        + form(settings.secret(environment))).getBytes(StandardCharsets.UTF_8));
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "portcullis-guard-introspection");
      thread.setDaemon(true);
      return thread;
    });
    this.http = HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
    this.active = settings.cache().isZero() ? null : Caffeine.newBuilder()
        .maximumSize(MAX_CACHED)
        .expireAfter(new UntilExpiry(settings.cache(), clock))
        .ticker(ClockTicker.of(clock))
        .executor(Runnable::run)
        .build();
  }

  @Override
  public Optional<AccessToken> findAccessToken(String token) {
    SecretKey key = active == null ? null : SecretKey.of(token);
    if (key != null) {
      AccessToken cached = active.getIfPresent(key);
      if (cached != null && !cached.isExpired(clock)) {
        return Optional.of(cached);
      }
    }
    Optional<AccessToken> answer = ask(token).filter(t -> !t.isExpired(clock));
    if (key != null) {
      answer.ifPresent(t -> active.put(key, t));
    }
    return answer;
  }

  /** The node's answer: the token when active, empty when not. */
  private Optional<AccessToken> ask(String token) {
    HttpRequest request = HttpRequest.newBuilder(settings.url())
        .timeout(settings.timeout())
        .header("Authorization", authorization)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + form(token) + "&token_type_hint=access_token"))
        .build();
    CompletableFuture<HttpResponse<byte[]>> call = http.sendAsync(request, info -> new LimitedBody(MAX_ANSWER_BYTES));
    HttpResponse<byte[]> response;
    try {
      response = call.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw unavailable("did not answer within " + settings.timeout().toMillis() + " ms", e);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw unavailable("was not waited for: the request thread was interrupted", e);
    } catch (ExecutionException e) {
      throw unavailable(describe(e.getCause()), e.getCause());
    }
    return answer(response.statusCode(), response.body());
  }

  private Optional<AccessToken> answer(int status, byte[] body) {
    if (status == 401 || status == 400 && body.length > 0 && new String(body, StandardCharsets.UTF_8)
        .contains("invalid_client")) {
      throw unavailable("refused the guard's client credentials (HTTP " + status + "): check introspection.clientId "
          + "and its secret, and that the client is registered with \"resourceServer\": true", null);
    }
    if (status != 200) {
      throw unavailable("answered HTTP " + status + " instead of an introspection answer", null);
    }
    JsonObject json;
    try {
      JsonElement parsed = StrictJson.parse(new String(body, StandardCharsets.UTF_8));
      if (!parsed.isJsonObject()) {
        throw unavailable("answered JSON that is not an object", null);
      }
      json = parsed.getAsJsonObject();
    } catch (StrictJson.MalformedJsonException e) {
      throw unavailable("answered something that is not JSON", null);
    }
    if (!(json.get("active") instanceof JsonPrimitive isActive) || !isActive.isBoolean()) {
      throw unavailable("answered without a boolean \"active\" (RFC 7662 section 2.2)", null);
    }
    if (!isActive.getAsBoolean()) {
      return Optional.empty();
    }
    String clientId = string(json, "client_id");
    Long exp = number(json, "exp");
    if (clientId == null || exp == null) {
      throw unavailable("answered an active token without \"client_id\" and \"exp\"", null);
    }
    String tokenType = string(json, "token_type");
    if (tokenType == null || !tokenType.toLowerCase(Locale.ROOT).equals("bearer")) {
      return Optional.empty(); // a refresh token, or a token of unknown kind, is no bearer token
    }
    String scope = string(json, "scope");
    Long iat = number(json, "iat");
    return Optional.of(new AccessToken(0, clientId, string(json, "username"), scope == null ? "" : scope,
        iat == null ? clock.instant().getEpochSecond() : iat, exp));
  }

  private static String string(JsonObject json, String member) {
    return json.get(member) instanceof JsonPrimitive p && p.isString() ? p.getAsString() : null;
  }

  private static Long number(JsonObject json, String member) {
    if (json.get(member) instanceof JsonPrimitive p && p.isNumber()) {
      try {
        return p.getAsBigDecimal().longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }
    return null;
  }

  private static String describe(Throwable cause) {
    if (cause instanceof HttpTimeoutException) {
      return "did not answer in time";
    }
    if (cause instanceof ConnectException) {
      return "could not be reached (connection refused or unreachable)";
    }
    if (cause instanceof AnswerTooLarge) {
      return "answered with more than " + MAX_ANSWER_BYTES + " bytes";
    }
    if (cause instanceof IOException) {
      return "could not be reached: " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")");
    }
    return "failed: " + cause.getClass().getSimpleName();
  }

  private StoreUnavailableException unavailable(String what, Throwable cause) {
    return new StoreUnavailableException("the introspection endpoint " + settings.url() + " " + what, cause);
  }

  private static String form(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    // Java 21's HttpClient is AutoCloseable: close its selector thread too.
    if ((Object) http instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // closing on undeploy: nothing left to do
      }
    }
  }

  /** Kept {@code cache} at most, and never past the token's own expiry. */
  private record UntilExpiry(Duration cache, Clock clock) implements Expiry<SecretKey, AccessToken> {
    @Override
    public long expireAfterCreate(SecretKey key, AccessToken token, long currentTime) {
      long untilExp = Math.max(0, token.expiresAtEpochSecond() * 1000 - clock.millis());
      return TimeUnit.MILLISECONDS.toNanos(Math.min(cache.toMillis(), untilExp));
    }

    @Override
    public long expireAfterUpdate(SecretKey key, AccessToken token, long currentTime, long currentDuration) {
      return expireAfterCreate(key, token, currentTime);
    }

    @Override
    public long expireAfterRead(SecretKey key, AccessToken token, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /** The body, unless it grows past {@code limit} bytes: then the exchange is abandoned. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private Flow.Subscription subscription;

    LimitedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + buffer.remaining() > limit) {
          subscription.cancel();
          result.completeExceptionally(new AnswerTooLarge());
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }

  private static final class AnswerTooLarge extends IOException {
    AnswerTooLarge() {
      super("answer too large");
    }
  }
}
