package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonElement;
import io.portcullis.json.StrictJson;

/**
 * Coverage-guided fuzzing of the config loader, seeded with real configs: whatever the file says,
 * the webapp starts with a config or refuses with problems naming their JSON path — never with
 * another exception, which would stop it without saying why.
 */
class ConfigLoaderFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void anyConfigLoadsOrNamesItsProblems(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    JsonElement root;
    try {
      root = StrictJson.parse(text);
    } catch (StrictJson.MalformedJsonException notJson) {
      return;
    }
    try {
      ConfigLoader.load("fuzz", root);
    } catch (ConfigException refused) {
      assertFalse(refused.problems().isEmpty(), "refused without a problem");
    }
  }
}
