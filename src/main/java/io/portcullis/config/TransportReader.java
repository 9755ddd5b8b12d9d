package io.portcullis.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code "requireHttps"}, {@code "trustedProxies"} (CIDR blocks), {@code "forwardedHeader"}
 * and {@code "requestBodyTimeoutSeconds"} from the top of the config.
 */
final class TransportReader {
  private TransportReader() {}

  static TransportSettings read(JsonFields top, ConfigProblems problems) {
    boolean requireHttps = top.bool("requireHttps", TransportSettings.defaults().requireHttps());
    if (!requireHttps) {
      problems.warn(top.at("requireHttps"), "is false: tokens, codes and passwords may cross the network "
          + "in clear text (RFC 6749 §1.6 and §10.9 require TLS)");
    }
    List<String> blocks = top.strings("trustedProxies", false);
    List<Cidr> proxies = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      try {
        proxies.add(Cidr.parse(blocks.get(i)));
      } catch (IllegalArgumentException e) {
        problems.error(top.at("trustedProxies", i), "\"" + blocks.get(i) + "\" is not an IP address or CIDR block: "
            + e.getMessage());
      }
    }
    for (Cidr proxy : proxies) {
      if (proxy.prefixLength() == 0) {
        problems.warn(top.at("trustedProxies"), proxy + " trusts every address: any client can then choose the "
            + "address it is throttled under and claim TLS");
      }
    }
    String forwardedHeader = top.string("forwardedHeader", false);
    if (forwardedHeader == null) {
      forwardedHeader = TransportSettings.X_FORWARDED;
    } else if (!forwardedHeader.equals(TransportSettings.X_FORWARDED)
        && !forwardedHeader.equals(TransportSettings.FORWARDED)) {
      problems.error(top.at("forwardedHeader"), "must be \"" + TransportSettings.X_FORWARDED + "\" or \""
          + TransportSettings.FORWARDED + "\": the header the trusted proxies set");
    }
    long bodyTimeout = top.number("requestBodyTimeoutSeconds",
        TransportSettings.defaults().requestBodyTimeout().getSeconds(), 1, 300);
    return new TransportSettings(requireHttps, proxies, java.time.Duration.ofSeconds(bodyTimeout), forwardedHeader);
  }
}
