package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScopesTest {

  @Test
  void scopeTokenIsPrintableAsciiWithoutSpaceQuoteOrBackslash() {
    assertTrue(Scopes.isScopeToken("email"));
    assertTrue(Scopes.isScopeToken("!#$%&'()*+,-./:;<=>?@[]^_`{|}~"));
    assertTrue(Scopes.isScopeToken("https://api.example/read"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "a b", "a\"b", "a\\b", "caf\u00e9", "a\tb", "a\u007fb"})
  void otherCharactersAreNotScopeTokens(String token) {
    assertFalse(Scopes.isScopeToken(token));
  }

  @Test
  void parseSplitsOnSingleSpacesAndDropsRepeats() {
    assertEquals(List.of("email", "profile"), List.copyOf(Scopes.parse("email profile email")));
    assertEquals(List.of("orders"), List.copyOf(Scopes.parse("orders")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " email", "email ", "email  profile", "a\"b c"})
  void parseRefusesMalformedScope(String scope) {
    assertNull(Scopes.parse(scope));
  }

  @Test
  void formatJoinsWithSpaces() {
    assertEquals("email profile", Scopes.format(List.of("email", "profile")));
    assertEquals("", Scopes.format(List.of()));
  }
}
