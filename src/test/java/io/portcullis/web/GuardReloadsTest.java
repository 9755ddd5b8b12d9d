package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;

import io.portcullis.config.GuardConfig;
import io.portcullis.config.GuardConfigLoader;
import io.portcullis.store.AccessTokenLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GuardReloads#check()}: what applies, and what is refused while the version in force stays. */
class GuardReloadsTest {

  static final String INTROSPECTION = """
      "introspection": {"url": "https://node.example/introspect", "clientId": "guard", "clientSecret": "s3cret"}""";

  @TempDir Path dir;

  static String config(String source, String routes) {
    return "{\"realm\": \"orders\", " + source + ", \"routes\": [" + routes + "]}";
  }

  GuardReloads reloads(Path file) throws Exception {
    return new GuardReloads(file, Files.readAllBytes(file), GuardConfigLoader.load(file), mock(AccessTokenLookup.class));
  }

  @Test
  void aValidChangeApplies() throws Exception {
    Path file = Files.writeString(dir.resolve("guard.json"), config(INTROSPECTION, ""));
    GuardReloads reloads = reloads(file);
    assertFalse(reloads.check(), "nothing changed");
    Files.writeString(file, config(INTROSPECTION, "{\"path\": \"/admin/*\", \"scopes\": [\"admin\"]}"));
    assertTrue(reloads.check());
    assertFalse(reloads.check(), "the same content again");
    assertEquals(1, reloads.applied());
    assertEquals(0, reloads.refused());
  }

  /** The version in force is the one read at start-up: a change made since then applies at the first check. */
  @Test
  void aChangeMadeWhileTheWebappStartedApplies() throws Exception {
    Path file = Files.writeString(dir.resolve("guard.json"), config(INTROSPECTION, ""));
    byte[] readAtStartUp = Files.readAllBytes(file);
    GuardConfig config = GuardConfigLoader.load(file);
    Files.writeString(file, config(INTROSPECTION, "{\"path\": \"/admin/*\", \"scopes\": [\"admin\"]}"));
    GuardReloads reloads = new GuardReloads(file, readAtStartUp, config, mock(AccessTokenLookup.class));
    assertTrue(reloads.check());
    assertEquals(1, reloads.applied());
  }

  @Test
  void invalidUnreadableAndRestartOnlyVersionsAreRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("guard.json"), config(INTROSPECTION, ""));
    GuardReloads reloads = reloads(file);
    Files.writeString(file, "{ \"realm\": ");
    assertFalse(reloads.check(), "not JSON");
    Files.writeString(file, config(INTROSPECTION, "{\"path\": \"no-slash\"}"));
    assertFalse(reloads.check(), "a route the loader refuses");
    Files.writeString(file, config(INTROSPECTION.replace("node.example", "other-node.example"), ""));
    assertFalse(reloads.check(), "another introspection endpoint needs a restart");
    Files.writeString(file, config("\"store\": {\"type\": \"redis\", \"uri\": \"redis://127.0.0.1:6379\"}", ""));
    assertFalse(reloads.check(), "another token source needs a restart");
    Files.delete(file);
    assertFalse(reloads.check(), "gone");
    assertEquals(0, reloads.applied());
    assertEquals(5, reloads.refused());
    Files.writeString(file, config(INTROSPECTION, "{\"path\": \"/admin/*\", \"scopes\": [\"admin\"]}"));
    assertTrue(reloads.check(), "a valid version after all of them");
  }
}
