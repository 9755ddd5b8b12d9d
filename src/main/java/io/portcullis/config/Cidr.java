package io.portcullis.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address block in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a plain
 * address is a block of one), as {@code trustedProxies} lists them.
 */
public record Cidr(byte[] network, int prefixLength) {

  /**
   * @throws IllegalArgumentException naming what is wrong; never resolves a host name
   */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    byte[] bytes = literal(address);
    int length = bytes.length * 8;
    if (slash >= 0) {
      try {
        length = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the prefix length after \"/\" must be a number");
      }
      if (length < 0 || length > bytes.length * 8) {
        throw new IllegalArgumentException("the prefix length must be between 0 and " + bytes.length * 8);
      }
    }
    return new Cidr(mask(bytes, length), length);
  }

  /** True when {@code address} (an IP literal, as {@code getRemoteAddr()} gives it) lies in this block. */
  public boolean contains(String address) {
    byte[] bytes;
    try {
      bytes = literal(address);
    } catch (IllegalArgumentException notAnAddress) {
      return false;
    }
    return bytes.length == network.length && java.util.Arrays.equals(mask(bytes, prefixLength), network);
  }

  /** An IPv4 dotted quad or an IPv6 literal (with or without brackets), never a host name. */
  static byte[] literal(String address) {
    String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    if (bare.contains(":")) {
      if (!bare.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) {
        throw new IllegalArgumentException("not an IP address");
      }
      try {
        // A literal with a colon is never looked up in DNS.
        return InetAddress.getByName(bare).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP address");
      }
    }
    String[] parts = bare.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IP address");
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("not an IP address");
      }
      int octet = Integer.parseInt(parts[i]);
      if (octet > 255) {
        throw new IllegalArgumentException("not an IP address");
      }
      bytes[i] = (byte) octet;
    }
    return bytes;
  }

  private static byte[] mask(byte[] address, int prefixLength) {
    byte[] masked = address.clone();
    for (int bit = prefixLength; bit < masked.length * 8; bit++) {
      masked[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    return masked;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr c && c.prefixLength == prefixLength && java.util.Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefixLength;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
