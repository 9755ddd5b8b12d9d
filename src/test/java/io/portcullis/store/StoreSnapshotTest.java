package io.portcullis.store;

import static io.portcullis.store.CaffeineTokenStoreTest.code;
import static io.portcullis.store.CaffeineTokenStoreTest.pending;
import static io.portcullis.store.CaffeineTokenStoreTest.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.config.StoreSettings;
import io.portcullis.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code store.snapshotFile}: what a graceful shutdown saves, the next start restores — every
 * kind of entry, hashed keys only, mode 0600, expired ones left out — and a damaged file is
 * reported and set aside, never half-loaded.
 */
class StoreSnapshotTest {

  @TempDir Path dir;
  final MutableClock clock = new MutableClock();

  CaffeineTokenStore store(Path snapshot) {
    return new CaffeineTokenStore(new StoreSettings(StoreSettings.MEMORY, 1000, 1000, 1000, Optional.of(snapshot)),
        clock);
  }

  static RefreshToken refresh(long grantId, long ttlSeconds) {
    return new RefreshToken(grantId, "app", "alice", "email", MutableClock.START.getEpochSecond(),
        MutableClock.START.plusSeconds(ttlSeconds).getEpochSecond(), MutableClock.START.plusSeconds(86_400).getEpochSecond());
  }

  /** A store with one of everything, closed (as at shutdown). */
  void fillAndClose(Path snapshot) {
    CaffeineTokenStore before = store(snapshot);
    before.savePendingAuthorization("tx", pending(600));
    before.countApprovalAttempt("tx");
    before.saveAuthorizationCode("fresh-code", code(1, 600));
    before.saveAuthorizationCode("spent-code", code(2, 600));
    before.redeemAuthorizationCode("spent-code", MutableClock.START.plusSeconds(3600));
    before.saveAccessToken("access", token(3, 3600));
    before.saveAccessToken("short-lived", token(4, 30));
    before.saveAccessToken("of-a-revoked-grant", token(5, 3600));
    before.revokeGrant(5, MutableClock.START.plusSeconds(3600));
    before.saveRefreshToken("refresh", refresh(6, 7200));
    before.saveRefreshToken("rotated", refresh(7, 7200));
    before.rotateRefreshToken("rotated", "app", MutableClock.START.plusSeconds(7200));
    before.recordAttempt("user:alice", Duration.ofSeconds(300));
    before.revokeIssuedBefore(TokenStore.Subject.CLIENT, "compromised-app", MutableClock.START,
        MutableClock.START.plusSeconds(3600));
    before.revokeIssuedBefore(TokenStore.Subject.USER, "mallory", MutableClock.START,
        MutableClock.START.plusSeconds(3600));
    before.revokeIssuedBefore(TokenStore.Subject.USER, "briefly", MutableClock.START,
        MutableClock.START.plusSeconds(30));
    before.close();
  }

  @Test
  void whatAShutdownSavedTheNextStartRestores() throws Exception {
    Path snapshot = dir.resolve("store.snapshot");
    fillAndClose(snapshot);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(snapshot)));
    byte[] bytes = Files.readAllBytes(snapshot);
    for (String secret : new String[] {"access", "refresh", "fresh-code", "spent-code", "rotated"}) {
      assertFalse(contains(bytes, secret.getBytes()), "the snapshot holds " + secret + " in clear");
    }

    clock.advanceSeconds(60); // the restart took a minute: short-lived has expired meanwhile
    CaffeineTokenStore after = store(snapshot);
    try {
      assertFalse(Files.exists(snapshot), "a loaded snapshot is deleted, so a later crash cannot bring it back");
      assertEquals(1, after.findPendingAuthorization("tx").orElseThrow().approvalAttempts());
      assertEquals(new CodeRedemption.Redeemed(code(1, 600)), after.redeemAuthorizationCode("fresh-code",
          clock.instant().plusSeconds(3600)), "every field restored, its issued-at too");
      assertInstanceOf(CodeRedemption.AlreadyUsed.class, after.redeemAuthorizationCode("spent-code",
          clock.instant().plusSeconds(3600)), "a spent code stays spent");
      assertTrue(after.findAccessToken("access").isPresent());
      assertEquals(Optional.empty(), after.findAccessToken("short-lived"));
      assertEquals(Optional.empty(), after.findAccessToken("of-a-revoked-grant"), "a revocation stays");
      assertInstanceOf(RefreshRotation.Rotated.class, after.rotateRefreshToken("refresh", "app",
          clock.instant().plusSeconds(7200)));
      assertInstanceOf(RefreshRotation.AlreadyUsed.class, after.rotateRefreshToken("rotated", "app",
          clock.instant().plusSeconds(7200)), "a rotated refresh token stays spent");
      assertEquals(1, after.failures("user:alice").count());
      assertEquals(Optional.of(MutableClock.START), after.cutoff(TokenStore.Subject.CLIENT, "compromised-app"));
      assertEquals(Optional.of(MutableClock.START), after.cutoff(TokenStore.Subject.USER, "mallory"));
      assertEquals(Optional.empty(), after.cutoff(TokenStore.Subject.USER, "briefly"), "forgotten meanwhile");
      assertEquals(Optional.empty(), after.cutoff(TokenStore.Subject.CLIENT, "mallory"), "each kind apart");
      assertEquals(1, after.liveAccessTokens("app"), "live tokens are counted for the quota again");
    } finally {
      after.close();
    }
  }

  /** A snapshot written before codes carried their issued-at (version 1) is still restored. */
  @Test
  void aVersionOneSnapshotIsStillRestored() throws Exception {
    Path snapshot = dir.resolve("store.snapshot");
    long expires = MutableClock.START.plusSeconds(600).getEpochSecond();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      out.writeUTF("PORTCULLIS-SNAPSHOT");
      out.writeInt(1);
      for (StoreSnapshot.Kind kind : StoreSnapshot.Kind.values()) {
        if (kind.ordinal() > StoreSnapshot.Kind.FAILURES.ordinal()) {
          break; // sections added since version 1
        }
        out.writeByte(kind.ordinal());
        boolean one = kind == StoreSnapshot.Kind.CODE || kind == StoreSnapshot.Kind.ACCESS_TOKEN
            || kind == StoreSnapshot.Kind.USED_CODE;
        out.writeInt(one ? 1 : 0);
        if (one) {
          SecretKey key = SecretKey.of(kind == StoreSnapshot.Kind.CODE ? "v1-code"
              : kind == StoreSnapshot.Kind.USED_CODE ? "v1-spent" : "v1-access");
          for (long part : new long[] {key.a(), key.b(), key.c(), key.d()}) {
            out.writeLong(part);
          }
        }
        if (kind == StoreSnapshot.Kind.CODE) { // as version 1 wrote a code: no issued-at
          out.writeLong(8);
          for (String text : new String[] {"app", "alice", "https://app.example/cb"}) {
            out.writeUTF(text);
          }
          out.writeBoolean(true);
          out.writeUTF("email");
          out.writeBoolean(false);
          out.writeBoolean(false);
          out.writeLong(expires);
        } else if (kind == StoreSnapshot.Kind.USED_CODE) { // as versions 1 and 2 wrote one: no user
          out.writeLong(10);
          out.writeUTF("app");
          out.writeLong(expires);
        } else if (kind == StoreSnapshot.Kind.ACCESS_TOKEN) {
          out.writeLong(9);
          out.writeUTF("app");
          out.writeBoolean(true);
          out.writeUTF("alice");
          out.writeUTF("email");
          out.writeLong(MutableClock.START.getEpochSecond());
          out.writeLong(expires);
        }
      }
    }
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bytes.toByteArray());
    new java.io.DataOutputStream(bytes).writeLong(crc.getValue());
    Files.write(snapshot, bytes.toByteArray());
    Files.setPosixFilePermissions(snapshot, PosixFilePermissions.fromString("rw-------"));

    CaffeineTokenStore after = store(snapshot);
    try {
      assertFalse(Files.exists(snapshot), "loaded, not set aside");
      assertEquals(9, after.findAccessToken("v1-access").orElseThrow().grantId());
      assertEquals(new CodeRedemption.AlreadyUsed(10, "app", null),
          after.redeemAuthorizationCode("v1-spent", clock.instant().plusSeconds(3600)));
      AuthorizationCode code = assertInstanceOf(CodeRedemption.Redeemed.class,
          after.redeemAuthorizationCode("v1-code", clock.instant().plusSeconds(3600))).code();
      assertEquals(new AuthorizationCode(8, "app", "alice", "https://app.example/cb", true, "email", null, null,
          AuthorizationCode.ISSUED_AT_UNKNOWN, java.time.Instant.ofEpochSecond(expires)), code);
    } finally {
      after.close();
    }
  }

  @Test
  void withoutASnapshotTheStoreStartsEmpty() {
    CaffeineTokenStore empty = store(dir.resolve("none-yet"));
    assertEquals(0, empty.accessTokenCount());
    empty.close();
    assertTrue(Files.exists(dir.resolve("none-yet")), "and writes one at shutdown");
  }

  @Test
  void aTruncatedOrDamagedFileIsSetAsideAndNothingOfItIsLoaded() throws Exception {
    Path snapshot = dir.resolve("store.snapshot");
    fillAndClose(snapshot);
    byte[] whole = Files.readAllBytes(snapshot);
    for (byte[] broken : new byte[][] {
        Arrays.copyOf(whole, whole.length / 2),                    // truncated
        flip(whole, whole.length / 3),                             // one bit damaged
        new byte[0],                                               // empty
        "not a snapshot at all, but long enough".getBytes()}) {
      Files.write(snapshot, broken);
      CaffeineTokenStore after = store(snapshot);
      try {
        assertEquals(Optional.empty(), after.findAccessToken("access"));
        assertTrue(after.findPendingAuthorization("tx").isEmpty());
        assertFalse(Files.exists(snapshot));
        assertTrue(Files.exists(dir.resolve("store.snapshot.unreadable")), "set aside for a look");
      } finally {
        Files.deleteIfExists(dir.resolve("store.snapshot.unreadable"));
        after.close();
        Files.deleteIfExists(snapshot);
      }
    }
  }

  /** A file someone else could have written, or a link to one, might hold planted tokens. */
  @Test
  void aFileOthersMayWriteOrALinkIsNotTrusted() throws Exception {
    Path snapshot = dir.resolve("store.snapshot");
    fillAndClose(snapshot);
    Files.setPosixFilePermissions(snapshot, PosixFilePermissions.fromString("rw-rw-r--"));
    CaffeineTokenStore groupWritable = store(snapshot);
    assertEquals(Optional.empty(), groupWritable.findAccessToken("access"));
    groupWritable.close(); // writes a fresh (empty) one of its own, mode 0600

    Path elsewhere = dir.resolve("elsewhere.snapshot");
    fillAndClose(elsewhere);
    Files.delete(snapshot);
    Files.createSymbolicLink(snapshot, elsewhere);
    CaffeineTokenStore linked = store(snapshot);
    try {
      assertEquals(Optional.empty(), linked.findAccessToken("access"));
    } finally {
      Files.delete(snapshot);
      linked.close();
    }
  }

  private static byte[] flip(byte[] bytes, int at) {
    byte[] copy = bytes.clone();
    copy[at] ^= 0x10;
    return copy;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
