package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParametersTest {

  @Test
  void getReturnsTheSingleValue() {
    Parameters p = Parameters.of(Map.of("a", "1"));
    assertEquals("1", p.get("a"));
    assertNull(p.get("b"));
    assertTrue(p.has("a"));
    assertFalse(p.has("b"));
  }

  @Test
  void emptyValueCountsAsAbsent() {
    Parameters p = Parameters.of(Map.of("a", ""));
    assertNull(p.get("a"));
    assertFalse(p.has("a"));
    assertEquals(Set.of("a"), p.names());
    OAuthException e = assertThrows(OAuthException.class, () -> p.require("a"));
    assertEquals("a parameter is missing", e.description());
  }

  @Test
  void repeatedValueIsInvalidRequestOnRead() {
    Parameters p = new Parameters(Map.of("a", List.of("1", "1")));
    assertTrue(p.isRepeated("a"));
    assertEquals("a", p.firstRepeated());
    OAuthException e = assertThrows(OAuthException.class, () -> p.get("a"));
    assertEquals("invalid_request", e.error());
    assertEquals(400, e.status());
    assertEquals("a parameter was given more than once", e.description());
    assertThrows(OAuthException.class, () -> p.has("a"));
  }

  @Test
  void firstRepeatedFollowsTheRequestOrder() {
    Map<String, List<String>> values = new LinkedHashMap<>();
    values.put("x", List.of("1"));
    values.put("b", List.of("1", "2"));
    values.put("a", List.of("1", "2"));
    assertEquals("b", new Parameters(values).firstRepeated());
    assertNull(Parameters.of(Map.of("a", "1")).firstRepeated());
  }

  @Test
  void parametersAreACopy() {
    List<String> list = new ArrayList<>(List.of("1"));
    Map<String, List<String>> values = new LinkedHashMap<>();
    values.put("a", list);
    Parameters p = new Parameters(values);
    list.add("2");
    values.put("b", List.of("3"));
    assertEquals("1", p.get("a"));
    assertEquals(Set.of("a"), p.names());
  }
}
