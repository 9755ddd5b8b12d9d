package io.portcullis.oauth;

import io.portcullis.config.OperationsSettings;
import io.portcullis.config.OperationsSettings.Operator;
import io.portcullis.config.StoredSecret;
import java.util.Optional;

/**
 * Who may read metrics and revoke in an incident: an operator of {@code operations.operators},
 * by HTTP Basic (RFC 7617). Guessed like any password, so throttled like one, per operator and
 * address and per address ({@link Throttle#admitOperator}: not across addresses, so that nobody
 * can lock the operators out); an unknown username takes as long as a known one.
 *
 * <p>Errors: 401 {@code unauthorized} (no, malformed or wrong credentials — one description for
 * all, so that it reveals no operator), 403 {@code forbidden} (an operator without the role),
 * 429 as the throttle answers.
 */
public final class OperatorAuthenticator {

  private static final String WRONG = "operator credentials are required: HTTP Basic of an operator of "
      + "operations.operators with the role this endpoint needs";

  private final OperationsSettings settings;
  private final Throttle throttle;
  private final Audit audit;
  private final StoredSecret decoy;

  public OperatorAuthenticator(OperationsSettings settings, Throttle throttle, Audit audit) {
    this.settings = settings;
    this.throttle = throttle;
    this.audit = audit;
    this.decoy = StoredSecret.decoyFor(settings.operators().values().stream().map(Operator::password).toList());
  }

  /**
   * @param authorization the {@code Authorization} header, or {@code null}
   * @param role {@link OperationsSettings#METRICS} or {@link OperationsSettings#ADMIN}
   * @return the operator, who has {@code role}
   */
  public Operator authenticate(String authorization, String role, String address) {
    String[] presented = basic(authorization);
    if (presented == null) {
      throw unauthorized();
    }
    String username = presented[0];
    Throttle.Attempt attempt;
    try {
      attempt = throttle.admitOperator(username, address);
    } catch (OAuthException throttled) {
      audit.record("operator_authentication", throttled.status() == 429 ? "locked" : "busy", null, username, address);
      throw throttled;
    }
    Optional<Operator> operator = settings.operator(username);
    boolean right = false;
    boolean checked = false;
    try {
      StoredSecret secret = operator.map(Operator::password).orElse(decoy);
      boolean matches = secret.isSlow() ? throttle.hashing(() -> secret.matches(presented[1]))
          : secret.matches(presented[1]);
      right = matches && operator.isPresent();
      checked = true;
    } finally {
      if (right || !checked) {
        attempt.forget();
      } else {
        attempt.failed();
      }
    }
    if (!right) {
      audit.record("operator_authentication", "failed", null, username, address);
      throw unauthorized();
    }
    if (!operator.get().roles().contains(role)) {
      audit.record("operator_authentication", "forbidden", null, username, address, "role", role);
      throw OAuthException.of("forbidden", 403, "this operator lacks the role \"" + role + "\"");
    }
    return operator.get();
  }

  private static OAuthException unauthorized() {
    return OAuthException.of("unauthorized", 401, WRONG);
  }

  /** {@code [username, password]} of a well-formed Basic header, or {@code null}. */
  private static String[] basic(String authorization) {
    if (authorization == null) {
      return null;
    }
    String decoded;
    try {
      decoded = BasicCredentials.text(authorization);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (decoded == null) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0 || decoded.length() > 1024) {
      return null;
    }
    return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }
}
