package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

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
  void pastItsSizeAStringIsKeptAsItIs() {
    SharedStrings strings = new SharedStrings(2);
    strings.share("a");
    strings.share("b");
    String c = new String("c");
    assertSame(c, strings.share(c));
    assertNotSame(c, strings.share(new String("c")), "not taken in once full");
    assertEquals("a", strings.share(new String("a")));
    assertSame(strings.share("a"), strings.share(new String("a")), "what it holds is still shared");
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
