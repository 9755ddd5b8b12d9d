package io.portcullis.web;

import io.portcullis.config.ClientRegistration;
import io.portcullis.config.OperationsSettings;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.oauth.Audit;
import io.portcullis.oauth.AuthorizeService;
import io.portcullis.oauth.BearerTokenValidator;
import io.portcullis.oauth.ClientAuthenticator;
import io.portcullis.oauth.ConfigUsers;
import io.portcullis.oauth.IncidentRevocation;
import io.portcullis.oauth.IntrospectionService;
import io.portcullis.oauth.OperatorAuthenticator;
import io.portcullis.oauth.RandomValues;
import io.portcullis.oauth.RevocationService;
import io.portcullis.oauth.Throttle;
import io.portcullis.oauth.TokenService;
import io.portcullis.store.AccessTokenLookup;
import io.portcullis.store.TokenStore;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything Portcullis builds from one version of its config: the protocol services, and the
 * servlets and filters that answer with them. A config reload builds a new generation and swaps
 * it in whole; a request is pinned to the generation current when it arrived
 * ({@link #pin}), so it never sees two versions of the config.
 *
 * <p>What outlives a reload is built once and handed in as {@link Shared}: the store (its settings
 * need a restart), the clock, the random source, the audit trail, the bearer token lookup (and
 * with it the near-cache).
 */
final class Generation {

  /** What every generation uses, built once at start-up. */
  record Shared(ServletContext context, TokenStore store, AccessTokenLookup bearerLookup, Clock clock,
      RandomValues random, Audit audit, PortcullisMetrics metrics, AtomicReference<Duration> longestSeen) {

    Shared(ServletContext context, TokenStore store, AccessTokenLookup bearerLookup, Clock clock, RandomValues random,
        Audit audit, PortcullisMetrics metrics) {
      this(context, store, bearerLookup, clock, random, audit, metrics, new AtomicReference<>(Duration.ZERO));
    }

    /**
     * How long revocations, spent codes and cut-offs are remembered under {@code config}: the
     * longest lifetime of anything that any config since start-up could have issued. A reload
     * that shortens TTLs must not shorten how long what was issued before stays revoked.
     */
    Duration remember(PortcullisConfig config) {
      Duration now = IncidentRevocation.longestLifetime(config);
      return longestSeen.accumulateAndGet(now, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
  }

  static final String REQUEST_ATTRIBUTE = "portcullis.generation";

  static final String AUTHORIZE = "portcullis-authorize";
  static final String TOKEN = "portcullis-token";
  static final String REFRESH = "portcullis-refresh";
  static final String INTROSPECT = "portcullis-introspect";
  static final String REVOKE = "portcullis-revoke";
  static final String METADATA = "portcullis-metadata";
  static final String TRANSPORT = "portcullis-transport";
  static final String BEARER = "portcullis-bearer";
  static final String OPERATIONS = "portcullis-operations";

  /** The paths of the OAuth endpoints themselves: never bearer-guarded. */
  static final Set<String> OAUTH_ENDPOINTS = Set.of(AuthorizeServlet.PATH, TokenServlet.PATH,
      TokenServlet.REFRESH_PATH, IntrospectionServlet.PATH, IntrospectionServlet.WEBMETHODS_PATH,
      RevocationServlet.PATH, RevocationServlet.WEBMETHODS_PATH, MetadataServlet.PATH);
  /** The token, introspection and revocation endpoints: their errors are JSON. */
  static final Set<String> BACK_CHANNEL = Set.of(TokenServlet.PATH, TokenServlet.REFRESH_PATH,
      IntrospectionServlet.PATH, IntrospectionServlet.WEBMETHODS_PATH, RevocationServlet.PATH,
      RevocationServlet.WEBMETHODS_PATH);

  private final PortcullisConfig config;
  private final long number;
  private final Map<String, Servlet> servlets;
  private final Map<String, Filter> filters;

  private Generation(PortcullisConfig config, long number, Map<String, Servlet> servlets,
      Map<String, Filter> filters) {
    this.config = config;
    this.number = number;
    this.servlets = servlets;
    this.filters = filters;
  }

  /** Builds the services, servlets and filters of {@code config}. */
  static Generation build(PortcullisConfig config, long number, Shared shared) throws ServletException {
    Responses responses = new Responses(config.realm(), config.scopeDescriptions());
    Issuer issuer = new Issuer(config);
    Throttle throttle = new Throttle(config.throttling(), shared.store(), shared.clock());
    ClientAuthenticator clients = new ClientAuthenticator(config, throttle, shared.audit());
    AuthorizeService authorize = new AuthorizeService(config, shared.store(), new ConfigUsers(config),
        shared.random(), shared.clock(), throttle, shared.audit());
    Duration remember = shared.remember(config);
    TokenService token = new TokenService(config, shared.store(), clients, shared.random(), shared.clock(),
        shared.audit(), remember);
    IntrospectionService introspection = new IntrospectionService(shared.store(), clients);
    RevocationService revocation = new RevocationService(shared.store(), clients, shared.clock(), remember,
        shared.audit());
    BearerTokenValidator bearer = new BearerTokenValidator(config, shared.bearerLookup());
    Duration bodyTimeout = config.transport().requestBodyTimeout();

    Map<String, Servlet> servlets = new LinkedHashMap<>();
    servlets.put(AUTHORIZE, new AuthorizeServlet(authorize, responses,
        config.usesContainerUsers() ? config.approverRole() : null, issuer, bodyTimeout));
    PortcullisMetrics metrics = shared.metrics();
    servlets.put(TOKEN, new TokenServlet(token, responses, ClientRegistration.GRANT_TYPES, bodyTimeout,
        metrics::request));
    servlets.put(REFRESH, new TokenServlet(token, responses, Set.of(ClientRegistration.REFRESH_TOKEN), bodyTimeout,
        metrics::request));
    servlets.put(INTROSPECT, new IntrospectionServlet(introspection, responses, issuer, bodyTimeout,
        metrics::request));
    servlets.put(REVOKE, new RevocationServlet(revocation, responses, bodyTimeout, metrics::request));
    servlets.put(METADATA, new MetadataServlet(config, issuer));
    OperationsSettings operations = config.operations();
    servlets.put(OPERATIONS, new OperationsServlet(operations,
        new OperatorAuthenticator(operations, throttle, shared.audit()), shared.store(),
        metrics.enabled() ? metrics::scrape : null,
        new IncidentRevocation(shared.store(), shared.clock(), remember, shared.audit()),
        clientId -> config.client(clientId).isPresent(), bodyTimeout, config.realm()));
    for (Map.Entry<String, Servlet> servlet : servlets.entrySet()) {
      servlet.getValue().init(new NamedConfig(servlet.getKey(), shared.context()));
    }

    Map<String, Filter> filters = new LinkedHashMap<>();
    // Who is calling and over what, before anything looks at a credential. Health probes come
    // over plain HTTP; metrics and admin carry an operator's password, so they are held to HTTPS
    // and answered with JSON, as the token endpoint is.
    Set<String> json = new java.util.HashSet<>(BACK_CHANNEL);
    json.add(operations.path() + OperationsServlet.METRICS);
    json.add(operations.path() + OperationsServlet.REVOKE);
    filters.put(TRANSPORT, new TransportSecurityFilter(config.transport(), responses,
        path -> MetadataServlet.PATH.equals(path) || OperationsServlet.isHealth(operations, path)
            || (!OperationsServlet.isEndpoint(operations, path)
                && config.routeFor(path).map(r -> r.isPublic()).orElse(false)),
        json));
    filters.put(BEARER, new BearerTokenFilter(bearer, new BearerChallenge(config.realm()),
        // The four operations endpoints decide for themselves; anything else below their path is
        // a route like any other (in a host webapp, its own servlets may answer there).
        path -> OAUTH_ENDPOINTS.contains(path) || OperationsServlet.isEndpoint(operations, path),
        metrics.enabled()
            ? metrics::bearerCheck
            : (outcome, path) -> { }, bodyTimeout));
    return new Generation(config, number, Map.copyOf(servlets), Map.copyOf(filters));
  }

  PortcullisConfig config() {
    return config;
  }

  /** 1 for the config read at start-up, one more for every reload that applied. */
  long number() {
    return number;
  }

  Servlet servlet(String name) {
    return servlets.get(name);
  }

  Filter filter(String name) {
    return filters.get(name);
  }

  /** Pins {@code request} to {@code current}, unless an earlier filter pinned it already. */
  static Generation pin(HttpServletRequest request, Generation current) {
    Object pinned = request.getAttribute(REQUEST_ATTRIBUTE);
    if (pinned instanceof Generation generation) {
      return generation;
    }
    request.setAttribute(REQUEST_ATTRIBUTE, current);
    return current;
  }

  /** What a servlet built outside the container's registration is initialised with. */
  private record NamedConfig(String name, ServletContext context) implements ServletConfig {
    @Override
    public String getServletName() {
      return name;
    }

    @Override
    public ServletContext getServletContext() {
      return context;
    }

    @Override
    public String getInitParameter(String parameter) {
      return null;
    }

    @Override
    public Enumeration<String> getInitParameterNames() {
      return Collections.emptyEnumeration();
    }
  }
}
