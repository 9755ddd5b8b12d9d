package io.portcullis.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonElement;

/**
 * Coverage-guided fuzzing of the strict JSON reader that reads every JSON request body and the
 * config file. Whatever the text, the answer is a tree or a {@link StrictJson.MalformedJsonException}
 * — never another exception, a stack overflow or a hang — and a tree it accepts reads back the same
 * from its own serialization. The committed corpus (src/test/resources/…/StrictJsonFuzzTestInputs)
 * is replayed by every test run; {@code JAZZER_FUZZ=1} fuzzes for real (README, Tests).
 */
class StrictJsonFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void anyTextIsATreeOrMalformed(FuzzedDataProvider data) throws Exception {
    String text = data.consumeRemainingAsString();
    JsonElement tree;
    try {
      tree = StrictJson.parse(text);
    } catch (StrictJson.MalformedJsonException refused) {
      return;
    }
    assertEquals(tree, StrictJson.parse(tree.toString()));
  }
}
