package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteRuleTest {

  @Test
  void exactPathMatchesOnlyItself() {
    RouteRule rule = new RouteRule("/health", true, Set.of());
    assertFalse(rule.isPrefix());
    assertEquals("/health", rule.base());
    assertTrue(rule.matches("/health"));
    assertFalse(rule.matches("/health/"));
    assertFalse(rule.matches("/healthz"));
    assertFalse(rule.matches("/Health"));
  }

  @Test
  void prefixMatchesItsBaseAndEverythingBelowAtASegmentBoundary() {
    RouteRule rule = new RouteRule("/api/*", false, Set.of("email"));
    assertTrue(rule.isPrefix());
    assertEquals("/api", rule.base());
    for (String path : List.of("/api", "/api/", "/api/orders", "/api/a/b/c")) {
      assertTrue(rule.matches(path), path);
    }
    for (String path : List.of("/apis", "/ap", "/", "/other/api", "/api.json")) {
      assertFalse(rule.matches(path), path);
    }
  }

  @Test
  void rootPrefixMatchesEverything() {
    RouteRule rule = new RouteRule("/*", false, Set.of());
    assertEquals("", rule.base());
    assertTrue(rule.matches("/"));
    assertTrue(rule.matches("/anything/at/all"));
  }

  @Test
  void publicRouteCannotRequireScopes() {
    assertThrows(IllegalArgumentException.class, () -> new RouteRule("/x", true, Set.of("email")));
  }
}
