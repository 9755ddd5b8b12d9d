package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;

import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.oauth.Audit;
import io.portcullis.oauth.RandomValues;
import io.portcullis.store.CaffeineTokenStore;
import io.portcullis.store.TokenStore;
import jakarta.servlet.ServletContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfigReloads#check()}: what applies, what is refused, and that the version in force stays. */
class ConfigReloadsTest {

  static final String CLIENT = """
      {"clientId": "app", "clientSecret": "{noop}secret-of-app", "redirectUris": ["https://app.example/cb"],
       "scopes": ["email"]}""";

  @TempDir Path dir;
  final Clock clock = Clock.systemUTC();
  TokenStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  static String config(String extra) {
    return "{\"users\": [{\"username\": \"alice\", \"password\": \"{noop}pw\"}], \"clients\": [" + CLIENT + "]"
        + extra + "}";
  }

  ConfigReloads reloads(Path file) throws Exception {
    PortcullisConfig first = ConfigLoader.load(file);
    store = new CaffeineTokenStore(first.store(), clock);
    Generation.Shared shared = new Generation.Shared(mock(ServletContext.class), store, store, clock,
        new RandomValues(), new Audit(clock), new PortcullisMetrics());
    ConfigReloads.Builder builder = (config, number) -> Generation.build(config, number, shared);
    return new ConfigReloads(file, Files.readAllBytes(file), builder.build(first, 1), builder,
        next -> next.store().equals(first.store()));
  }

  @Test
  void aValidChangeApplies() throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.json"), config(""));
    ConfigReloads reloads = reloads(file);
    assertFalse(reloads.check(), "nothing changed");
    Files.writeString(file, config(", \"accessTokenTtlSeconds\": 120"));
    assertTrue(reloads.check());
    assertEquals(2, reloads.current().number());
    assertEquals(120, reloads.current().config().accessTokenTtl().getSeconds());
    assertFalse(reloads.check(), "the same content again");
    assertEquals(1, reloads.applied());
    assertEquals(0, reloads.refused());
  }

  /** The version in force is the one read at start-up: a change made since then applies at the first check. */
  @Test
  void aChangeMadeWhileTheWebappStartedApplies() throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.json"), config(""));
    byte[] readAtStartUp = Files.readAllBytes(file);
    PortcullisConfig first = ConfigLoader.load(file, readAtStartUp);
    store = new CaffeineTokenStore(first.store(), clock);
    Generation.Shared shared = new Generation.Shared(mock(ServletContext.class), store, store, clock,
        new RandomValues(), new Audit(clock), new PortcullisMetrics());
    ConfigReloads.Builder builder = (config, number) -> Generation.build(config, number, shared);
    Files.writeString(file, config(", \"accessTokenTtlSeconds\": 120"));
    ConfigReloads reloads = new ConfigReloads(file, readAtStartUp, builder.build(first, 1), builder,
        next -> next.store().equals(first.store()));
    assertTrue(reloads.check());
    assertEquals(120, reloads.current().config().accessTokenTtl().getSeconds());
  }

  /** An edit refused, then undone: the file is back to the version in force, which is no new version. */
  @Test
  void theVersionInForceRestoredIsNoNewVersion() throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.json"), config(""));
    ConfigReloads reloads = reloads(file);
    Files.writeString(file, "");
    assertFalse(reloads.check());
    Files.writeString(file, config(""));
    assertFalse(reloads.check(), "the same content as in force");
    assertEquals(1, reloads.current().number());
    assertEquals(0, reloads.applied());
    assertEquals(1, reloads.refused());
    Files.writeString(file, config(", \"accessTokenTtlSeconds\": 120"));
    assertTrue(reloads.check());
    Files.writeString(file, "{");
    assertFalse(reloads.check());
    Files.writeString(file, config(", \"accessTokenTtlSeconds\": 120"));
    assertFalse(reloads.check(), "back to the version now in force");
    assertEquals(2, reloads.current().number());
    Files.writeString(file, config(""));
    assertTrue(reloads.check(), "the first version again, after another was in force, is a change");
    assertEquals(3, reloads.current().number());
  }

  @Test
  void anInvalidVersionIsRefusedAndTheOneInForceStays() throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.json"), config(""));
    ConfigReloads reloads = reloads(file);
    Generation first = reloads.current();
    Files.writeString(file, config(", \"accessTokenTtlSeconds\": -1"));
    assertFalse(reloads.check());
    Files.writeString(file, "{ not json");
    assertFalse(reloads.check());
    Files.delete(file);
    assertFalse(reloads.check());
    assertSame(first, reloads.current());
    assertEquals(3, reloads.refused());
    Files.writeString(file, config(", \"accessTokenTtlSeconds\": 60"));
    assertTrue(reloads.check(), "a valid version after them applies");
    assertEquals(60, reloads.current().config().accessTokenTtl().getSeconds());
  }

  /** The store is built once: a version that changes it applies only at a restart, none of it now. */
  @Test
  void aVersionThatChangesTheStoreIsRefusedWhole() throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.json"), config(""));
    ConfigReloads reloads = reloads(file);
    Files.writeString(file, config(", \"accessTokenTtlSeconds\": 60, \"store\": {\"maxAccessTokens\": 5000}"));
    assertFalse(reloads.check());
    assertEquals(3600, reloads.current().config().accessTokenTtl().getSeconds(), "nothing of it applied");
    assertEquals(1, reloads.refused());
  }

  /**
   * A reload that shortens TTLs does not shorten how long revocations and cut-offs are
   * remembered: what was issued under the longer TTLs lives that long.
   */
  @Test
  void revocationsAreRememberedAsLongAsAnyVersionCouldIssue() throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.json"), config(", \"refreshTokenTtlSeconds\": 2592000"));
    PortcullisConfig longer = ConfigLoader.load(file);
    Files.writeString(file, config(", \"refreshTokenTtlSeconds\": 3600"));
    PortcullisConfig shorter = ConfigLoader.load(file);
    store = new CaffeineTokenStore(longer.store(), clock);
    Generation.Shared shared = new Generation.Shared(mock(ServletContext.class), store, store, clock,
        new RandomValues(), new Audit(clock), new PortcullisMetrics(false));
    assertEquals(2_592_000, shared.remember(longer).getSeconds());
    assertEquals(2_592_000, shared.remember(shorter).getSeconds(), "not shortened by the reload");
  }

  /** A request keeps the generation it was pinned to, whatever is swapped in while it runs. */
  @Test
  void aRequestKeepsItsGeneration() throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.json"), config(""));
    ConfigReloads reloads = reloads(file);
    Generation first = reloads.current();
    java.util.Map<String, Object> attributes = new java.util.HashMap<>();
    jakarta.servlet.http.HttpServletRequest request = mock(jakarta.servlet.http.HttpServletRequest.class);
    org.mockito.Mockito.when(request.getAttribute(org.mockito.ArgumentMatchers.anyString()))
        .thenAnswer(i -> attributes.get(i.<String>getArgument(0)));
    org.mockito.Mockito.doAnswer(i -> attributes.put(i.getArgument(0), i.getArgument(1)))
        .when(request).setAttribute(org.mockito.ArgumentMatchers.anyString(), org.mockito.ArgumentMatchers.any());
    assertSame(first, Generation.pin(request, reloads.current()));
    Files.writeString(file, config(", \"accessTokenTtlSeconds\": 120"));
    assertTrue(reloads.check());
    assertSame(first, Generation.pin(request, reloads.current()), "pinned: the reload changes nothing for it");
    assertEquals(2, Generation.pin(mock(jakarta.servlet.http.HttpServletRequest.class), reloads.current()).number(),
        "a new request gets the new one");
  }
}
