package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SharedStringsTest {

  @Test
  void equalStringsShareTheFirstCopy() {
    SharedStrings strings = new SharedStrings(10);
    String first = new String("read write");
    String second = new String("read write");
    assertSame(first, strings.share(first));
    assertSame(first, strings.share(second));
    assertNull(strings.share(null));
  }

  @Test
  void whenFullItStartsAfreshSoThatStringsSeenLaterAreStillShared() {
    SharedStrings strings = new SharedStrings(1_000);
    for (int i = 0; i < 1_000; i++) {
      strings.share("user" + i);
    }
    String scope = new String("read admin");
    assertSame(scope, strings.share(scope));
    assertSame(scope, strings.share(new String("read admin")), "a string first seen once full is shared too");
    for (int i = 0; i < 10_000; i++) {
      strings.share("other" + i);
      assertTrue(strings.size() <= 1_000, "never more than its size");
    }
  }

  @Test
  void storedTokensShareTheirScope() {
    AccessToken one = new AccessToken(1, "client", "alice", new String("read"), 0, 60);
    AccessToken two = new AccessToken(2, "client", "bob", new String("read"), 0, 60);
    assertSame(one.scope(), two.scope());
    RefreshToken refresh = new RefreshToken(3, "client", "alice", new String("read"), 0, 60, 120);
    assertSame(one.scope(), refresh.scope());
  }
}
