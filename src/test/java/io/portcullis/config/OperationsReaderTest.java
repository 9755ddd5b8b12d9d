package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code "operations"}: defaults, operators and roles, and every mistake named by its JSON path. */
class OperationsReaderTest {

  static final String CLIENT = "{\"clientId\": \"app\", \"redirectUris\": [\"https://app.example/cb\"]}";

  static PortcullisConfig load(String operations) throws ConfigException {
    return ConfigLoader.load("test.json", JsonParser.parseString("{\"clients\": [" + CLIENT + "]"
        + (operations == null ? "" : ", \"operations\": " + operations) + "}"));
  }

  static List<String> problems(String operations) {
    return assertThrows(ConfigException.class, () -> load(operations)).problems();
  }

  @Test
  void defaults() throws Exception {
    OperationsSettings operations = load(null).operations();
    assertEquals("/portcullis", operations.path());
    assertFalse(operations.metricsPublic());
    assertTrue(operations.operators().isEmpty());
    assertTrue(operations.covers("/portcullis/health/live"));
    assertTrue(operations.covers("/portcullis"));
    assertFalse(operations.covers("/portcullis-other"));
  }

  @Test
  void operatorsWithRoles() throws Exception {
    OperationsSettings operations = load("{\"path\": \"/ops/v1\", \"metricsPublic\": true, \"operators\": ["
        + "{\"username\": \"ops\", \"password\": \"{noop}secret\", \"roles\": [\"metrics\", \"admin\"]}]}").operations();
    assertEquals("/ops/v1", operations.path());
    assertTrue(operations.metricsPublic());
    assertEquals(Set.of("metrics", "admin"), operations.operator("ops").orElseThrow().roles());
    assertFalse(operations.operator("ops").orElseThrow().toString().contains("secret"));
  }

  @Test
  void everyMistakeIsNamed() {
    assertEquals(List.of("operations.path: must be a path such as \"/portcullis\": segments of letters, digits "
        + "and -._~, starting with / and without a trailing /"), problems("{\"path\": \"/ops/\"}"));
    assertEquals(List.of("operations.path: must not be or contain /invoke or /.well-known, where the OAuth "
        + "endpoints answer"), problems("{\"path\": \"/invoke\"}"));
    assertEquals(1, problems("{\"path\": \"/../x\"}").size());
    assertEquals(List.of("operations.operators[0].roles: \"root\" is not a role; the roles are \"metrics\" and "
        + "\"admin\""), problems("{\"operators\": [{\"username\": \"a\", \"password\": \"{noop}p\", "
        + "\"roles\": [\"root\"]}]}"));
    assertEquals(List.of("operations.operators[0].roles: must name at least one of \"metrics\" and \"admin\""),
        problems("{\"operators\": [{\"username\": \"a\", \"password\": \"{noop}p\", \"roles\": []}]}"));
    assertEquals(List.of("operations.operators[1].username: \"a\" is defined twice"),
        problems("{\"operators\": [{\"username\": \"a\", \"password\": \"{noop}p\", \"roles\": [\"admin\"]},"
            + "{\"username\": \"a\", \"password\": \"{noop}q\", \"roles\": [\"admin\"]}]}"));
    assertEquals(List.of("operations.operators[0].username: must be non-empty, without ':' or control characters "
        + "(it is sent in HTTP Basic)"), problems("{\"operators\": [{\"username\": \"a:b\", \"password\": "
        + "\"{noop}p\", \"roles\": [\"admin\"]}]}"));
    assertEquals(List.of("operations.metricPublic: unknown key (known keys: path, metricsPublic, operators)"),
        problems("{\"metricPublic\": true}"));
  }
}
