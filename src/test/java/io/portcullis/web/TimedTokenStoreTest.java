package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.store.AccessToken;
import io.portcullis.store.TokenStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TimedTokenStoreTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final TokenStore inner = mock(TokenStore.class);
  final TimedTokenStore timed = new TimedTokenStore(inner,
      (operation, outcome) -> Timer.builder("store").tags("operation", operation, "outcome", outcome).register(registry));

  private Timer timer(String operation, String outcome) {
    return registry.find("store").tags("operation", operation, "outcome", outcome).timer();
  }

  @Test
  void everyMethodOfTheStoreIsPassedOnWithItsArgumentsAndTimedUnderItsName() throws Exception {
    int methods = 0;
    for (Method method : TokenStore.class.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      // Declared by the timed store itself: a default method not written out would go untimed.
      Method own = TimedTokenStore.class.getMethod(method.getName(), method.getParameterTypes());
      assertEquals(TimedTokenStore.class, own.getDeclaringClass(), method.getName() + " is not timed");
      Object[] arguments = new Object[method.getParameterCount()];
      for (int i = 0; i < arguments.length; i++) {
        arguments[i] = sample(method.getParameterTypes()[i], i);
      }
      assertNull(timer(method.getName(), "ok"), method.getName() + " timed before it was called");
      method.invoke(timed, arguments);
      method.invoke(verify(inner), arguments);
      assertEquals(1, timer(method.getName(), "ok").count(), method.getName());
      assertNull(timer(method.getName(), "error"), method.getName());
      methods++;
    }
    assertEquals(TokenStore.class.getMethods().length, methods);
  }

  @Test
  void resultsComeBackAsTheStoreGaveThem() {
    AccessToken token = new AccessToken(7L, "client", "alice", "read", 0, 60);
    when(inner.findAccessToken("t")).thenReturn(Optional.of(token));
    when(inner.countApprovalAttempt("tx")).thenReturn(4);
    assertSame(token, timed.findAccessToken("t").orElseThrow());
    assertEquals(4, timed.countApprovalAttempt("tx"));
    assertEquals(1, timer("findAccessToken", "ok").count());
    assertEquals(1, timer("countApprovalAttempt", "ok").count());
  }

  @Test
  void aFailureIsPassedOnAsItCameAndTimedAsAnError() {
    IllegalStateException down = new IllegalStateException("store unavailable");
    when(inner.findAccessToken("t")).thenThrow(down);
    assertSame(down, assertThrows(IllegalStateException.class, () -> timed.findAccessToken("t")));
    AssertionError error = new AssertionError("from a void method");
    org.mockito.Mockito.doThrow(error).when(inner).revokeAccessToken("t");
    assertSame(error, assertThrows(AssertionError.class, () -> timed.revokeAccessToken("t")));
    assertEquals(1, timer("findAccessToken", "error").count());
    assertEquals(1, timer("revokeAccessToken", "error").count());
    assertNull(timer("findAccessToken", "ok"));
    org.mockito.Mockito.doReturn(Optional.empty()).when(inner).findAccessToken("t");
    timed.findAccessToken("t");
    assertEquals(1, timer("findAccessToken", "ok").count());
    assertEquals(1, timer("findAccessToken", "error").count());
  }

  @Test
  void theTimeRecordedIsTheCallsOwn() throws Exception {
    when(inner.failures("s")).thenAnswer(call -> {
      Thread.sleep(30);
      return null;
    });
    timed.failures("s");
    double millis = timer("failures", "ok").totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
    if (millis < 30 || millis > 10_000) {
      fail("recorded " + millis + " ms for a call of at least 30 ms");
    }
  }

  @Test
  void theDeploymentsMetricsShowStoreCallsAndNearCacheLookupsUnderTheOperationsName() {
    try (PortcullisMetrics metrics = new PortcullisMetrics(true)) {
      metrics.timed(inner).findAccessToken("t");
      io.portcullis.store.AccessTokenLookup nearCache = token -> {
        throw new IllegalStateException("down");
      };
      assertThrows(IllegalStateException.class, () -> metrics.timed(nearCache).findAccessToken("t"));
      String scraped = metrics.scrape();
      assertTrue(scraped.contains(
          "portcullis_store_operation_seconds_count{operation=\"findAccessToken\",outcome=\"ok\"} 1"), scraped);
      assertTrue(scraped.contains(
          "portcullis_store_operation_seconds_count{operation=\"findAccessToken\",outcome=\"error\"} 1"), scraped);
      assertFalse(scraped.contains("operation=\"revokeAccessToken\""), "a series appears once its call was made");
    }
  }

  private static Object sample(Class<?> type, int position) throws InvocationTargetException {
    if (type == String.class) {
      return "value" + position;
    }
    if (type == long.class) {
      return 10L + position;
    }
    if (type == boolean.class) {
      return true;
    }
    if (type == Instant.class) {
      return Instant.ofEpochSecond(1_000 + position);
    }
    if (type == java.time.Duration.class) {
      return java.time.Duration.ofSeconds(position + 1);
    }
    if (type.isEnum()) {
      return type.getEnumConstants()[0];
    }
    return mock(type);
  }
}
