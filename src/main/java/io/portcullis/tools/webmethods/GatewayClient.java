package io.portcullis.tools.webmethods;

import java.util.List;

/**
 * One OAuth client as webMethods registered it, from whichever shape it came in (a strategy's
 * {@code dcrConfig} or {@code clientRegistration}, a 10.1 application's {@code oauth2Token} or
 * {@code oauth_credentials}), in webMethods's own terms; {@link ClientMapper} turns it into
 * Portcullis's. Every field but {@code source} and {@code clientId} may be null: not stated.
 *
 * @param source       where in the export it was, for the report ({@code Strategy.1f0c "Orders"})
 * @param clientType   {@code public} or {@code confidential} (lower case), as stated
 * @param secret       as exported: clear text, masked ({@code ****}), or null; never printed
 * @param grantTypes   webMethods's names ({@code authorization_code}, {@code password}, ...)
 * @param expirationInterval access-token lifetime, seconds as text
 * @param refreshCount how often a token may be refreshed, as text; {@code 0}: never
 * @param pkceType     {@code ENFORCED}, {@code NOT_ENFORCED} or {@code USE_GLOBAL_SETTING}
 */
public record GatewayClient(
    String source,
    String clientId,
    String name,
    String clientType,
    String secret,
    List<String> redirectUris,
    List<String> scopes,
    List<String> grantTypes,
    String expirationInterval,
    String refreshCount,
    String pkceType) {

  /** An all-asterisks secret is webMethods's mask: the real one is not in the export. */
  public boolean secretMasked() {
    return secret != null && !secret.isEmpty() && secret.chars().allMatch(c -> c == '*');
  }

  /** The secret stays out of logs, reports and assertion messages. */
  @Override
  public String toString() {
    return "GatewayClient[" + clientId + " from " + source + "]";
  }
}
