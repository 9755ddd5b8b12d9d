package io.portcullis.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portcullis.oauth.Audit;
import io.portcullis.store.AccessTokenLookup;
import io.portcullis.store.TokenStore;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * What Portcullis counts, in Micrometer's Prometheus registry, for {@code operations.path + /metrics}.
 * Every label value comes from the config (client ids, route paths) or from a fixed set (grant
 * types, outcomes, RFC error codes, store operations), never from request input, so the number of
 * series stays bounded whatever clients send.
 *
 * <ul>
 *   <li>{@code portcullis_tokens_issued_total{grant_type, client}}
 *   <li>{@code portcullis_requests_total{endpoint, outcome}}: the token, introspection and
 *       revocation endpoints, {@code ok} or the RFC error code
 *   <li>{@code portcullis_bearer_checks_total{outcome, route}}: {@code pass}, {@code public},
 *       {@code missing}, {@code invalid}, {@code insufficient_scope}, {@code unavailable}
 *   <li>{@code portcullis_approvals_total{outcome}}, {@code portcullis_revocations_total{outcome}},
 *       {@code portcullis_incident_revocations_total{subject}}
 *   <li>{@code portcullis_store_operation_seconds{operation, outcome}} (histogram)
 *   <li>{@code portcullis_store_entries{kind}}, {@code portcullis_store_evictions_total{kind}}
 *   <li>{@code portcullis_config_reloads_total{result}}, {@code portcullis_config_version}
 *   <li>the JVM's memory, GC, threads, classes, CPU and uptime
 * </ul>
 */
final class PortcullisMetrics implements Audit.Listener, AutoCloseable {

  /** Bounds of the store latency histogram: a memory store answers in microseconds, Redis in a millisecond. */
  private static final Duration[] STORE_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
      Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)};
  private static final Set<String> APPROVAL_OUTCOMES = Set.of("approved", "denied", "wrong_password",
      "too_many_attempts", "locked", "busy");
  private static final Set<String> GRANT_TYPES = Set.of("authorization_code", "refresh_token", "client_credentials");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  /** Meters by name and label values: looked up on every request (without building a string), made once. */
  private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

  /** A meter's name and label values. */
  private record Key(String name, String first, String second) {}

  /** Off: nothing is counted and there is nothing to scrape (a deployment's init-parameter, for measuring their cost). */
  private final boolean enabled;

  PortcullisMetrics() {
    this(true);
  }

  PortcullisMetrics(boolean enabled) {
    this.enabled = enabled;
    if (!enabled) {
      return;
    }
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** The Prometheus text exposition of every meter; {@code null} when metrics are off. */
  String scrape() {
    return enabled ? registry.scrape() : null;
  }

  boolean enabled() {
    return enabled;
  }

  // ---- events ----

  @Override
  public void event(String event, String outcome, String clientId, String... details) {
    if (!enabled) {
      return;
    }
    switch (event) {
      case "token_issued" -> {
        String grantType = detail(details, "grant_type");
        count(new Key("portcullis.tokens.issued", GRANT_TYPES.contains(grantType) ? grantType : "other",
            clientId), "grant_type", "client"); // an authenticated, so configured, client
      }
      case "approval" -> count(new Key("portcullis.approvals", APPROVAL_OUTCOMES.contains(outcome) ? outcome
          : "other", null), "outcome", null);
      case "incident_revocation" -> count(new Key("portcullis.incident.revocations",
          clientId != null ? "client" : "user", null), "subject", null);
      case "revocation" -> count(new Key("portcullis.revocations", "revoked".equals(outcome) ? "revoked"
          : "unknown_token", null), "outcome", null);
      default -> { }
    }
  }

  /** An answer of the token, introspection or revocation endpoint: {@code ok} or an RFC error code. */
  void request(String endpoint, String outcome) {
    if (enabled) {
      count(new Key("portcullis.requests", endpoint, outcome), "endpoint", "outcome");
    }
  }

  /** A bearer check: its outcome, and the path of the route rule that applied ({@code none} if none). */
  void bearerCheck(String outcome, String route) {
    if (enabled) {
      count(new Key("portcullis.bearer.checks", outcome, route), "outcome", "route");
    }
  }

  /** Counts one under {@code key}, whose values are those of the labels named. */
  private void count(Key key, String firstLabel, String secondLabel) {
    Counter counter = counters.get(key);
    if (counter == null) {
      counter = counters.computeIfAbsent(key, k -> {
        Counter.Builder builder = Counter.builder(k.name()).tag(firstLabel, k.first());
        return (secondLabel == null ? builder : builder.tag(secondLabel, k.second())).register(registry);
      });
    }
    counter.increment();
  }

  private static String detail(String[] details, String name) {
    for (int i = 0; i + 1 < details.length; i += 2) {
      if (details[i].equals(name)) {
        return details[i + 1];
      }
    }
    return null;
  }

  // ---- the store ----

  /** {@code store} with every call timed, and its entries and evictions as meters. */
  TokenStore timed(TokenStore store) {
    if (!enabled) {
      return store;
    }
    for (String kind : store.entries().keySet()) {
      Gauge.builder("portcullis.store.entries", store, s -> s.entries().getOrDefault(kind, 0L))
          .tag("kind", kind).register(registry);
    }
    for (String kind : store.evictions().keySet()) {
      FunctionCounter.builder("portcullis.store.evictions", store, s -> s.evictions().getOrDefault(kind, 0L))
          .tag("kind", kind).register(registry);
    }
    return new TimedTokenStore(store, this::timer);
  }

  /** A near-cache's lookups, timed as the store's {@code findAccessToken}: what a bearer check waits for. */
  AccessTokenLookup timed(AccessTokenLookup lookup) {
    if (!enabled) {
      return lookup;
    }
    TimedTokenStore.Operation find = new TimedTokenStore.Operation("findAccessToken", this::timer);
    return token -> find.time(() -> lookup.findAccessToken(token));
  }

  private Timer timer(String operation, String outcome) {
    Key key = new Key("portcullis.store.operation", operation, outcome);
    Timer timer = timers.get(key);
    if (timer == null) {
      timer = timers.computeIfAbsent(key, k -> Timer.builder("portcullis.store.operation")
          .tags("operation", operation, "outcome", outcome)
          .serviceLevelObjectives(STORE_BUCKETS)
          .register(registry));
    }
    return timer;
  }

  // ---- config ----

  /** The reloads applied and refused, and the version in force. */
  <T> void reloads(T reloads, ToDoubleFunction<T> applied, ToDoubleFunction<T> refused, ToDoubleFunction<T> version) {
    FunctionCounter.builder("portcullis.config.reloads", reloads, applied).tag("result", "applied").register(registry);
    FunctionCounter.builder("portcullis.config.reloads", reloads, refused).tag("result", "refused").register(registry);
    Gauge.builder("portcullis.config.version", reloads, version).register(registry);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
