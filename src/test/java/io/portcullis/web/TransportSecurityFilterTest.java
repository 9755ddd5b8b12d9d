package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.portcullis.config.TransportSettings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cases a test on one machine cannot reach over the network: a plain-HTTP request arriving
 * directly at a non-loopback address, and a real TLS connection ({@code isSecure()}). The
 * container's request is mocked; everything else is real.
 */
class TransportSecurityFilterTest {

  final ResponsesTest.RecordedResponse recorded = new ResponsesTest.RecordedResponse();
  final TransportSecurityFilter filter = new TransportSecurityFilter(TransportSettings.defaults(),
      new Responses("portcullis"), "/health"::equals, java.util.Set.of(TokenServlet.PATH, IntrospectionServlet.PATH));
  HttpServletRequest passedOn;
  final FilterChain chain = (request, response) -> passedOn = (HttpServletRequest) request;

  static HttpServletRequest request(String path, String localAddress, boolean secure) {
    HttpServletRequest request = mock(HttpServletRequest.class);
    when(request.getServletPath()).thenReturn(path);
    when(request.getLocalAddr()).thenReturn(localAddress);
    // A loopback request comes from this machine; anything else from the network.
    when(request.getRemoteAddr()).thenReturn(TransportSecurityFilter.isLoopback(localAddress) ? "127.0.0.1"
        : "198.51.100.7");
    when(request.isSecure()).thenReturn(secure);
    when(request.getScheme()).thenReturn(secure ? "https" : "http");
    when(request.getHeaders(org.mockito.ArgumentMatchers.anyString())).thenAnswer(i -> Collections.emptyEnumeration());
    return request;
  }

  @Test
  void plainHttpToANetworkAddressIsRefusedBeforeAnyCredentialIsRead() throws Exception {
    for (String path : List.of(TokenServlet.PATH, IntrospectionServlet.PATH, "/api/orders")) {
      ResponsesTest.RecordedResponse response = new ResponsesTest.RecordedResponse();
      filter.doFilter(request(path, "10.0.0.5", false), response.proxy(), chain);
      assertNull(passedOn, path + " was passed on");
      assertEquals(400, response.status);
      assertEquals("invalid_request", response.json().get("error").getAsString());
    }
    filter.doFilter(request(AuthorizeServlet.PATH, "10.0.0.5", false), recorded.proxy(), chain);
    assertEquals(400, recorded.status);
    assertTrue(recorded.contentType.startsWith("text/html"), recorded.contentType);
  }

  @Test
  void publicRoutesAndLoopbackAreAnsweredOverPlainHttp() throws Exception {
    filter.doFilter(request("/health", "10.0.0.5", false), recorded.proxy(), chain);
    assertTrue(passedOn != null);
    passedOn = null;
    filter.doFilter(request(TokenServlet.PATH, "127.0.0.1", false), recorded.proxy(), chain);
    assertTrue(passedOn != null);
    assertFalse(recorded.headers.containsKey("Strict-Transport-Security"));
  }

  @Test
  void tlsIsAnsweredWithStrictTransportSecurity() throws Exception {
    filter.doFilter(request(TokenServlet.PATH, "10.0.0.5", true), recorded.proxy(), chain);
    assertTrue(passedOn != null);
    assertEquals("max-age=31536000", recorded.headers.get("Strict-Transport-Security"));
  }

  @Test
  void loopbackIsRecognisedInEverySpelling() {
    for (String loopback : List.of("127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1")) {
      assertTrue(TransportSecurityFilter.isLoopback(loopback), loopback);
    }
    for (String other : List.of("10.0.0.1", "::2", "fe80::1", "localhost", "")) {
      assertFalse(TransportSecurityFilter.isLoopback(other), other);
    }
  }
}
