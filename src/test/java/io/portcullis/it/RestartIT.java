package io.portcullis.it;

import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * {@code store.snapshotFile} in a real Tomcat: tokens and refresh tokens issued before a graceful
 * restart work after it, revocations and spent refresh tokens stay so, and a damaged snapshot is
 * reported and skipped without keeping the webapp from starting.
 */
class RestartIT {

  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);

  @Test
  void tokensIssuedBeforeARestartWorkAfterIt() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target/container-runs").toAbsolutePath()),
        "restart-");
    Path snapshot = dir.resolve("store.snapshot");
    JsonObject store = new JsonObject();
    store.addProperty("snapshotFile", snapshot.toString());
    Path config = ConfigJson.grants().set("store", store).write(dir, "restart.json");
    TomcatContainer tomcat = TomcatContainer.unpack("10", dir).deployWithContextDescriptor("/", config);

    Grants.Tokens user;
    Grants.Tokens spentRefresh;
    Grants.Tokens rotated;
    String machine;
    String revoked;
    try (ContainerProcess first = tomcat.start()) {
      Grants grants = new Grants(new OAuthClient(first.baseUrl("/")));
      user = grants.authorize(APP, "email");
      spentRefresh = grants.authorize(APP, "email");
      rotated = Grants.issued(grants.refresh(APP, spentRefresh.refresh(), null));
      machine = clientCredentials(grants).get("access_token").getAsString();
      revoked = clientCredentials(grants).get("access_token").getAsString();
      assertEquals(200, grants.revoke(Grants.REVOKE, Caller.confidential(SERVICE, SERVICE_SECRET, null), revoked,
          null).statusCode());
    } // SIGTERM: Tomcat stops its webapps, and the store writes its snapshot
    assertTrue(Files.exists(snapshot), "the graceful stop wrote " + snapshot);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(snapshot)));

    try (ContainerProcess second = tomcat.start()) {
      assertFalse(Files.exists(snapshot), "the start loaded the snapshot and deleted it");
      assertTrue(second.log().contains("restored "), second.log());
      Grants grants = new Grants(new OAuthClient(second.baseUrl("/")));
      grants.assertPasses(user.access());
      grants.assertPasses(machine);
      grants.assertRefused(revoked);
      Grants.Tokens refreshed = Grants.issued(grants.refresh(APP, user.refresh(), null));
      grants.assertPasses(refreshed.access());
      // A refresh token spent before the restart is still spent: presented again, its grant goes.
      assertEquals(400, grants.refresh(APP, spentRefresh.refresh(), null).statusCode());
      grants.assertRefused(rotated.access());
    }

    // A damaged snapshot: reported, set aside, and the webapp starts empty.
    Files.writeString(snapshot, "PORTCULLIS-SNAPSHOT, but cut short");
    try (ContainerProcess third = tomcat.start()) {
      assertTrue(third.log().contains("store snapshot " + snapshot + " skipped"), third.log());
      assertTrue(Files.exists(dir.resolve("store.snapshot.unreadable")));
      Grants grants = new Grants(new OAuthClient(third.baseUrl("/")));
      grants.assertRefused(user.access());
      assertEquals(200, new OAuthClient(third.baseUrl("/")).get("/health").statusCode());
    }
  }

  private static JsonObject clientCredentials(Grants grants) throws Exception {
    return OAuthClient.json(grants.client().postForm(OAuthClient.TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(SERVICE, SERVICE_SECRET)));
  }
}
