package io.portcullis.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrictJsonTest {

  @Test
  void parsesAWellFormedDocument() throws Exception {
    JsonElement root = StrictJson.parse(
        "{\"a\":\"x\",\"n\":12.5,\"t\":true,\"z\":null,\"list\":[1,\"two\",{\"k\":false}]}");
    JsonObject object = root.getAsJsonObject();
    assertEquals("x", object.get("a").getAsString());
    assertEquals(new BigDecimal("12.5"), object.get("n").getAsBigDecimal());
    assertTrue(object.get("t").getAsBoolean());
    assertTrue(object.get("z").isJsonNull());
    assertEquals(3, object.getAsJsonArray("list").size());
    assertFalse(object.getAsJsonArray("list").get(2).getAsJsonObject().get("k").getAsBoolean());
  }

  @Test
  void duplicateKeyIsRefusedWithItsPath() {
    StrictJson.MalformedJsonException e = assertThrows(StrictJson.MalformedJsonException.class,
        () -> StrictJson.parse("{\"code\":\"a\",\"code\":\"b\"}"));
    assertEquals("$.code: the key appears more than once", e.getMessage());
  }

  @Test
  void nestedDuplicateKeyIsRefusedWithItsPath() {
    StrictJson.MalformedJsonException e = assertThrows(StrictJson.MalformedJsonException.class,
        () -> StrictJson.parse("{\"clients\":[{\"clientId\":\"a\"},{\"clientId\":\"b\",\"clientId\":\"c\"}]}"));
    assertEquals("$.clients[1].clientId: the key appears more than once", e.getMessage());
  }

  @Test
  void sameKeyInSiblingObjectsIsFine() throws Exception {
    JsonElement root = StrictJson.parse("[{\"a\":1},{\"a\":2}]");
    assertEquals(2, root.getAsJsonArray().size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{} {}", "{}x", "{\"a\":1}]", "\"s\" \"t\"", "1 2"})
  void trailingContentIsRefused(String text) {
    assertThrows(StrictJson.MalformedJsonException.class, () -> StrictJson.parse(text));
  }

  @Test
  void trailingWhitespaceIsFine() throws Exception {
    assertTrue(StrictJson.parse("{}\n  \t").isJsonObject());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{/* c */\"a\":1}",
      "{\"a\":1 // c\n}",
      "# c\n{\"a\":1}",
      "{'a':1}",
      "{a:1}",
      "{\"a\":1,}",
      "[1,]",
      "{\"a\":NaN}",
      "{\"a\":01}"})
  void lenientSyntaxIsRefused(String text) {
    assertThrows(StrictJson.MalformedJsonException.class, () -> StrictJson.parse(text));
  }

  @Test
  void messagesDoNotSendPeopleToGsonTroubleshootingPages() {
    StrictJson.MalformedJsonException e = assertThrows(StrictJson.MalformedJsonException.class,
        () -> StrictJson.parse("{/* c */\"a\":1}"));
    assertFalse(e.getMessage().contains("\nSee "), e.getMessage());
    assertFalse(e.getMessage().contains("setStrictness"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "{", "{\"a\":", "[1,2", "\"open"})
  void truncatedDocumentIsRefused(String text) {
    assertThrows(StrictJson.MalformedJsonException.class, () -> StrictJson.parse(text));
  }

  @Test
  void nestingUpTo32LevelsIsAccepted() throws Exception {
    // The root is depth 0, so 33 arrays put the innermost at depth 32.
    String text = "[".repeat(33) + "]".repeat(33);
    assertTrue(StrictJson.parse(text).isJsonArray());
  }

  @Test
  void deepNestingIsRefused() {
    String text = "[".repeat(34) + "]".repeat(34);
    StrictJson.MalformedJsonException e =
        assertThrows(StrictJson.MalformedJsonException.class, () -> StrictJson.parse(text));
    assertEquals("JSON nested more than 32 levels deep", e.getMessage());
  }

  @Test
  void veryDeepNestingIsRefusedWithoutStackOverflow() {
    String text = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
    StrictJson.MalformedJsonException e =
        assertThrows(StrictJson.MalformedJsonException.class, () -> StrictJson.parse(text));
    assertEquals("JSON nested more than 32 levels deep", e.getMessage());
  }

  @Test
  void numbersKeepTheirExactValue() throws Exception {
    JsonObject object = StrictJson.parse("{\"big\":12345678901234567890123,\"exp\":1e3}").getAsJsonObject();
    assertEquals(new BigDecimal("12345678901234567890123"), object.get("big").getAsBigDecimal());
    assertEquals(0, new BigDecimal("1000").compareTo(object.get("exp").getAsBigDecimal()));
  }
}
