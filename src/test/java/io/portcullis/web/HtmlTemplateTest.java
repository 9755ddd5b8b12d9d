package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlTemplateTest {

  static final HtmlTemplate ERROR = HtmlTemplate.load("error.html");

  @Test
  void escapesTheFiveHtmlSpecialCharacters() {
    assertEquals("&amp;&lt;&gt;&quot;&#39;", HtmlTemplate.escape("&<>\"'").markup());
  }

  @Test
  void eachSpecialCharacterIsEscapedWhereverItStandsAlone() {
    Map<String, String> escaped = Map.of("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;", "'", "&#39;");
    escaped.forEach((c, entity) -> {
      assertEquals(entity + "x", HtmlTemplate.escape(c + "x").markup());
      assertEquals("plain " + entity + " text", HtmlTemplate.escape("plain " + c + " text").markup());
      assertEquals("x" + entity, HtmlTemplate.escape("x" + c).markup());
    });
  }

  @Test
  void escapeLeavesOtherTextAlone() {
    assertEquals("plain text, été ✓ {{x}} $1 \\", HtmlTemplate.escape("plain text, été ✓ {{x}} $1 \\").markup());
    assertEquals("", HtmlTemplate.escape("").markup());
  }

  @Test
  void escapeIsNotIdempotentSoAlreadyEscapedTextStaysVisible() {
    assertEquals("&amp;amp;", HtmlTemplate.escape("&amp;").markup());
  }

  @Test
  void stringValuesAreEscapedOnRender() {
    String page = page(values("<script>alert('x')</script>", "a&b \"quoted\""));
    assertTrue(page.contains("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>"), page);
    assertTrue(page.contains("<code>error: a&amp;b &quot;quoted&quot;</code>"), page);
    assertFalse(page.contains("<script>"), page);
  }

  @Test
  void htmlValuesAreInsertedAsTheyAre() {
    Map<String, Object> values = values("x", "y");
    values.put("description", HtmlTemplate.Html.join(List.of(new HtmlTemplate.Html("<b>"), HtmlTemplate.escape("<i>"),
        new HtmlTemplate.Html("</b>"))));
    String page = page(values);
    assertTrue(page.contains("<p><b>&lt;i&gt;</b></p>"), page);
  }

  @Test
  void replacementSyntaxInValuesIsLiteral() {
    String page = page(values("costs $1 and \\0", "{{nonce}}"));
    assertTrue(page.contains("<p>costs $1 and \\0</p>"), page);
    assertTrue(page.contains("<code>error: {{nonce}}</code>"), "a value is never expanded again: " + page);
  }

  @Test
  void everyPlaceholderIsFilled() {
    String page = page(values("d", "e"));
    assertFalse(page.contains("{{"), page);
    assertTrue(page.contains("<style nonce=\"n0nce\">"), page);
  }

  @Test
  void aPageIsItsUtf8BytesWhateverTheValuesHoldAndHowLong() {
    String filler = "x".repeat(5_000);
    byte[] bytes = ERROR.render(values("é — 😀 <" + filler, "€"));
    String page = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(page.contains("<p>é — 😀 &lt;" + filler + "</p>"), page);
    assertTrue(page.contains("<code>error: €</code>"), page);
    assertArrayEquals(page.getBytes(StandardCharsets.UTF_8), bytes, "exactly the page's bytes, nothing after them");
  }

  private static String page(Map<String, ?> values) {
    return new String(ERROR.render(values), StandardCharsets.UTF_8);
  }

  @Test
  void missingPlaceholderValueThrows() {
    Map<String, Object> values = values("d", "e");
    values.remove("description");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ERROR.render(values));
    assertEquals("template error.html needs a value for description", e.getMessage());
  }

  @Test
  void nullPlaceholderValueThrows() {
    Map<String, Object> values = values("d", "e");
    values.put("error", null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ERROR.render(values));
    assertEquals("template error.html needs a value for error", e.getMessage());
  }

  @Test
  void missingTemplateIsAnError() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> HtmlTemplate.load("nope.html"));
    assertEquals("template nope.html is missing from the WAR", e.getMessage());
  }

  private static Map<String, Object> values(String description, String error) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("nonce", "n0nce");
    values.put("description", description);
    values.put("error", error);
    return values;
  }
}
