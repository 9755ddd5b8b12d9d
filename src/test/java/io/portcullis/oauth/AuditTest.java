package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditTest {

  @Test
  void plainValuesStandAsTheyAreAndAbsentOnesAreLeftOut() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("event", "approval");
    fields.put("outcome", "approved");
    fields.put("user", null);
    fields.put("address", "203.0.113.9");
    assertEquals("event=approval outcome=approved address=203.0.113.9", Audit.format(fields));
  }

  /** A username comes from the approval form: it must not be able to forge a field or a line. */
  @Test
  void hostileValuesAreQuotedAndEscaped() {
    assertEquals("\"alice outcome=approved\"", Audit.value("alice outcome=approved"));
    assertEquals("\"a\\u000d\\u000atime=x event=approval\"", Audit.value("a\r\ntime=x event=approval"));
    assertEquals("\"say \\\"hi\\\" \\\\ bye\"", Audit.value("say \"hi\" \\ bye"));
    assertEquals("\"caf\u00e9\"", Audit.value("caf\u00e9"));
    assertEquals("\"\"", Audit.value(""));
    assertEquals("\"\\u2028\"", Audit.value("\u2028"));
    assertEquals("x".repeat(Audit.MAX_VALUE_LENGTH) + "...", Audit.value("x".repeat(5000)));
  }
}
