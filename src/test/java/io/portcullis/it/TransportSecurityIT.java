package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.Grants.METADATA;
import static io.portcullis.it.OAuthClient.AUTHORIZE;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code requireHttps} and {@code trustedProxies} over real HTTP. Behind a trusted proxy (here
 * the test itself, on 127.0.0.1), the forwarded scheme decides whether a request came over TLS
 * and the forwarded address is what throttling counts; without one, forwarding headers are
 * ignored, so a client cannot choose its own address or claim TLS.
 */
class TransportSecurityIT {

  /** The test's own address is a trusted proxy; three failures per address. */
  @RegisterExtension static final PortcullisServer proxied = PortcullisServer.deploy(ConfigJson.grants()
      .set("trustedProxies", JsonParser.parseString("[\"127.0.0.1/32\", \"::1\"]"))
      .set("throttling", JsonParser.parseString("{\"addressFailures\": 3, \"clientFailures\": 1000, "
          + "\"userFailures\": 1000}")));
  static final OAuthClient viaProxy = new OAuthClient(proxied);

  /** A proxy that sets RFC 7239 Forwarded: then X-Forwarded-* are what a client may have sent. */
  @RegisterExtension static final PortcullisServer rfc7239 = PortcullisServer.deploy(ConfigJson.grants()
      .set("trustedProxies", JsonParser.parseString("[\"127.0.0.1/32\", \"::1\"]"))
      .set("forwardedHeader", new com.google.gson.JsonPrimitive("Forwarded")));
  static final OAuthClient viaRfc7239Proxy = new OAuthClient(rfc7239);

  @Test
  void withForwardedConfiguredOnlyForwardedCounts() throws Exception {
    HttpResponse<String> tls = clientCredentials(viaRfc7239Proxy, SERVICE_SECRET,
        "Forwarded", "for=203.0.113.9;proto=https");
    assertEquals(200, tls.statusCode(), tls.body());
    assertEquals("max-age=31536000", tls.headers().firstValue("Strict-Transport-Security").orElse(null));
    assertEquals(400, clientCredentials(viaRfc7239Proxy, SERVICE_SECRET, "Forwarded", "for=203.0.113.9;proto=http")
        .statusCode());
    assertEquals(400, clientCredentials(viaRfc7239Proxy, SERVICE_SECRET, HTTPS).statusCode(),
        "X-Forwarded-Proto is not what this proxy sets");
  }

  /** No trusted proxies: what the connection says is what counts. */
  @RegisterExtension static final PortcullisServer direct = PortcullisServer.deploy(ConfigJson.grants()
      .set("throttling", JsonParser.parseString("{\"addressFailures\": 3, \"clientFailures\": 1000, "
          + "\"userFailures\": 1000}")));
  static final OAuthClient directly = new OAuthClient(direct);

  /** No trusted proxies, no TLS required: three failures per address. */
  @RegisterExtension static final PortcullisServer plain = PortcullisServer.deploy(ConfigJson.grants()
      .set("requireHttps", false)
      .set("throttling", JsonParser.parseString("{\"addressFailures\": 3, \"clientFailures\": 1000, "
          + "\"userFailures\": 1000}")));
  static final OAuthClient plainDirect = new OAuthClient(plain);

  static final String[] HTTPS = {"X-Forwarded-Proto", "https"};

  static HttpResponse<String> clientCredentials(OAuthClient client, String secret, String... headers)
      throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = basic(SERVICE, secret);
    System.arraycopy(headers, 0, all, 2, headers.length);
    return client.postForm(TOKEN, params("grant_type", "client_credentials"), all);
  }

  @Test
  void behindAProxyOnlyRequestsThatCameOverTlsAreAnswered() throws Exception {
    HttpResponse<String> plain = clientCredentials(viaProxy, SERVICE_SECRET);
    assertEquals(400, plain.statusCode(), plain.body());
    assertEquals("invalid_request", OAuthClient.json(plain).get("error").getAsString());
    assertTrue(plain.body().contains("over HTTPS only"), plain.body());

    HttpResponse<String> tls = clientCredentials(viaProxy, SERVICE_SECRET, HTTPS);
    assertEquals(200, tls.statusCode(), tls.body());
    assertEquals("max-age=31536000", tls.headers().firstValue("Strict-Transport-Security").orElse(null));
    String token = OAuthClient.json(tls).get("access_token").getAsString();

    // A Forwarded header is not what this proxy sets: one the client sent along changes nothing.
    assertEquals(400, clientCredentials(viaProxy, SERVICE_SECRET, "Forwarded", "for=6.6.6.6;proto=https")
        .statusCode());
    assertEquals(400, clientCredentials(viaProxy, SERVICE_SECRET, "X-Forwarded-Proto", "http",
        "Forwarded", "for=6.6.6.6;proto=https").statusCode());

    // The authorization endpoint refuses with a page, a bearer route with JSON.
    HttpResponse<String> authorize = viaProxy.get(AUTHORIZE + "?" + OAuthClient.formEncode(params(
        "response_type", "code", "client_id", CONFIDENTIAL, "redirect_uri", CONFIDENTIAL_REDIRECT)));
    ItAssertions.assertErrorPage(authorize, 400, "invalid_request");
    HttpResponse<String> guardedPlain = viaProxy.get("/api/orders", "Authorization", "Bearer " + token);
    assertEquals(400, guardedPlain.statusCode(), guardedPlain.body());
    assertTrue(guardedPlain.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_request\""),
        guardedPlain.headers().map().toString());
    HttpResponse<String> guardedTls = viaProxy.get("/api/orders", "Authorization", "Bearer " + token,
        "X-Forwarded-Proto", "https");
    assertEquals(200, guardedTls.statusCode(), guardedTls.body());

    // Public routes and metadata answer over plain HTTP (probes), without HSTS.
    HttpResponse<String> health = viaProxy.get("/health");
    assertEquals(200, health.statusCode());
    assertFalse(health.headers().firstValue("Strict-Transport-Security").isPresent());
    assertEquals(200, viaProxy.get(METADATA).statusCode());
  }

  @Test
  void behindAProxyTheIssuerFollowsTheForwardedSchemeAndHost() throws Exception {
    RawHttp.Response metadata = RawHttp.exchange(proxied, List.of("GET " + METADATA + " HTTP/1.1",
        "Host: gw.example", "X-Forwarded-Proto: https"), null);
    assertEquals(200, metadata.status(), metadata.body());
    assertTrue(metadata.body().startsWith("{\"issuer\":\"https://gw.example\","), metadata.body());
  }

  @Test
  void behindAProxyTheForwardedClientIsWhatThrottlingCounts() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(401, clientCredentials(viaProxy, "guess-" + i, "X-Forwarded-For", "203.0.113.10",
          HTTPS[0], HTTPS[1]).statusCode());
    }
    assertEquals(429, clientCredentials(viaProxy, SERVICE_SECRET, "X-Forwarded-For", "203.0.113.10",
        HTTPS[0], HTTPS[1]).statusCode());
    // Prepending an address of one's choosing changes nothing: the proxy appended the real one.
    assertEquals(429, clientCredentials(viaProxy, SERVICE_SECRET, "X-Forwarded-For", "198.51.100.1, 203.0.113.10",
        HTTPS[0], HTTPS[1]).statusCode());
    // Another client behind the same proxy is not held up.
    assertEquals(200, clientCredentials(viaProxy, SERVICE_SECRET, "X-Forwarded-For", "203.0.113.11",
        HTTPS[0], HTTPS[1]).statusCode());
  }

  @Test
  void withoutATrustedProxyForwardingHeadersAreIgnored() throws Exception {
    // A direct request to a loopback address needs no TLS: a try-out on one machine.
    HttpResponse<String> plain = clientCredentials(directly, SERVICE_SECRET);
    assertEquals(200, plain.statusCode(), plain.body());
    // Forwarded by a proxy nobody listed (a same-machine nginx, say): not a try-out, and claiming
    // TLS does not make it so.
    HttpResponse<String> claimed = clientCredentials(directly, SERVICE_SECRET, HTTPS);
    assertEquals(400, claimed.statusCode(), claimed.body());
    assertFalse(claimed.headers().firstValue("Strict-Transport-Security").isPresent());
    assertEquals(400, clientCredentials(directly, SERVICE_SECRET, "X-Forwarded-For", "203.0.113.1").statusCode());
  }

  @Test
  void withoutATrustedProxyAClaimedAddressDoesNotEscapeThrottling() throws Exception {
    // requireHttps is off here, to reach the throttle with forwarding headers from a stranger.
    for (int i = 0; i < 3; i++) {
      assertEquals(401, clientCredentials(plainDirect, "guess-" + i, "X-Forwarded-For", "203.0.113." + i)
          .statusCode());
    }
    assertEquals(429, clientCredentials(plainDirect, SERVICE_SECRET, "X-Forwarded-For", "203.0.113.99")
        .statusCode());
  }
}
