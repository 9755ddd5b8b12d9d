package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  @Test
  void ipv4BlocksContainTheirAddressesOnly() {
    Cidr block = Cidr.parse("10.1.2.3/16");
    assertEquals("10.1.0.0/16", block.toString());
    assertTrue(block.contains("10.1.255.255"));
    assertTrue(block.contains("10.1.0.0"));
    assertFalse(block.contains("10.2.0.0"));
    // A dual-stack container may report an IPv4 client as IPv4-mapped IPv6: the same address.
    assertTrue(block.contains("::ffff:10.1.0.1"));
    assertFalse(block.contains("2001:db8::1"), "an IPv6 address is not in an IPv4 block");
    assertFalse(block.contains("unknown"));
  }

  @Test
  void aPlainAddressIsABlockOfOne() {
    Cidr one = Cidr.parse("192.0.2.7");
    assertTrue(one.contains("192.0.2.7"));
    assertFalse(one.contains("192.0.2.6"));
    assertTrue(Cidr.parse("::1").contains("0:0:0:0:0:0:0:1"));
    assertTrue(Cidr.parse("[::1]").contains("::1"));
  }

  @Test
  void ipv6BlocksAndTheWholeInternet() {
    assertTrue(Cidr.parse("2001:db8::/32").contains("2001:db8:ffff::1"));
    assertFalse(Cidr.parse("2001:db8::/32").contains("2001:db9::1"));
    assertTrue(Cidr.parse("0.0.0.0/0").contains("203.0.113.9"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy.example", "localhost", "10.0.0", "10.0.0.256", "10.0.0.1/33", "10.0.0.1/x",
      "::1/129", "", "1.2.3.4/-1", "01234.1.1.1"})
  void anythingButAnAddressOrBlockIsRefusedWithoutALookUp(String text) {
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
  }
}
