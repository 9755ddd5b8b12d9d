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
    assertEquals("\"evil\\u202egnp.exe\"", Audit.value("evil\u202egnp.exe"), "a bidi override");
  }

  /** An attacker hammering a lock gets one line a minute, not one per request. */
  @Test
  void repeatedLockLinesAreLeftOutForAMinute() {
    io.portcullis.testing.MutableClock clock = new io.portcullis.testing.MutableClock();
    Audit audit = new Audit(clock);
    java.util.List<String> lines;
    try (AuditLines written = new AuditLines()) {
      for (int i = 0; i < 100; i++) {
        audit.record("client_authentication", "locked", "app", null, "192.0.2.1");
        audit.record("client_authentication", "failed", "app", null, "192.0.2.1");
      }
      audit.record("client_authentication", "locked", "app", null, "192.0.2.2");
      clock.advanceSeconds(61);
      audit.record("client_authentication", "locked", "app", null, "192.0.2.1");
      lines = written.lines();
    }
    assertEquals(3, lines.stream().filter(l -> l.contains("outcome=locked")).count(), lines.toString());
    assertEquals(100, lines.stream().filter(l -> l.contains("outcome=failed")).count());
  }
}
