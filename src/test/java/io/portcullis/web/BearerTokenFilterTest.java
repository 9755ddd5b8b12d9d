package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.portcullis.config.GuardRules;
import io.portcullis.config.RouteRule;
import io.portcullis.oauth.BearerTokenValidator;
import io.portcullis.store.AccessTokenLookup;
import io.portcullis.store.StoreUnavailableException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whatever goes wrong while a token is checked, the request is refused with an RFC 6750 answer —
 * 503 {@code temporarily_unavailable} — and never passed on, never a 500. The container's request
 * is mocked (a store failure of every kind is hard to provoke over the network); the rest is real.
 */
class BearerTokenFilterTest {

  static final GuardRules EVERY_PATH_GUARDED = new GuardRules() {
    @Override
    public List<RouteRule> routes() {
      return List.of();
    }

    @Override
    public boolean acceptsTokensOf(String clientId) {
      return true;
    }
  };

  HttpServletRequest passedOn;
  final FilterChain chain = (request, response) -> passedOn = (HttpServletRequest) request;

  static HttpServletRequest request() {
    HttpServletRequest request = mock(HttpServletRequest.class);
    when(request.getServletPath()).thenReturn("/api/orders");
    when(request.getHeaders("Authorization"))
        .thenAnswer(i -> Collections.enumeration(List.of("Bearer some-token")));
    return request;
  }

  void assertRefusedWith503(AccessTokenLookup failing) throws Exception {
    BearerTokenFilter filter = new BearerTokenFilter(new BearerTokenValidator(EVERY_PATH_GUARDED, failing),
        new BearerChallenge("orders"), path -> false);
    ResponsesTest.RecordedResponse response = new ResponsesTest.RecordedResponse();
    filter.doFilter(request(), response.proxy(), chain);
    assertNull(passedOn, "passed on");
    assertEquals(503, response.status);
    assertEquals("temporarily_unavailable", response.json().get("error").getAsString());
    assertEquals("no-store", response.headers.get("Cache-Control"));
  }

  @Test
  void aStoreThatCannotBeReachedRefuses() throws Exception {
    assertRefusedWith503(token -> {
      throw new StoreUnavailableException("Redis: connection refused", null);
    });
  }

  @Test
  void anyOtherFailureWhileCheckingRefusesToo() throws Exception {
    assertRefusedWith503(token -> {
      throw new IllegalStateException("an entry the store cannot read");
    });
    assertRefusedWith503(token -> {
      throw new ClassCastException("a script answered something unexpected");
    });
  }
}
