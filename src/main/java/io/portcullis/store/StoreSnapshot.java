package io.portcullis.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The memory store on disk between a graceful shutdown and the next start ({@code store.snapshotFile}):
 * every live entry under its hashed key — pending approvals, codes, access and refresh tokens,
 * spent codes and refresh tokens, revoked grants, failure counters — and the cut-offs of clients
 * and users. No code, token or secret is in it, only their SHA-256 (of an access token, the
 * first 128 bits, all its store keeps: {@link AccessTokenTable}; the rest of the key is written
 * as zeros, and a key read from an older file is cut to those bits when it is loaded).
 *
 * <p>Written to a new file (mode 0600) beside the target, forced to disk, then renamed over it,
 * so a crash mid-write leaves the old file or none, never half of one. Read in full and checked
 * (a CRC-32 over everything) before a single entry is used: a corrupt or truncated file is
 * reported and set aside, never half-loaded. A loaded file is deleted at once, so a later crash
 * cannot bring back tokens revoked after it was written.
 */
final class StoreSnapshot {

  private static final String MAGIC = "PORTCULLIS-SNAPSHOT";
  /**
   * What {@link #write} writes. 2 added a code's issued-at and the cut-offs, 3 the user of a spent
   * code's or refresh token's grant; files of versions 1 and 2, written before, are still read
   * (their codes as issued at {@link AuthorizationCode#ISSUED_AT_UNKNOWN}, no cut-offs; spent
   * markers without a user).
   */
  static final int VERSION = 3;
  private static final int OLDEST_READ = 1;

  /** The sections, in file order; a new one goes last, with a new {@link #VERSION}. */
  enum Kind {
    PENDING, CODE, USED_CODE, ACCESS_TOKEN, REFRESH_TOKEN, USED_REFRESH_TOKEN, REVOKED_GRANT, FAILURES,
    /** Since version 2: client cut-offs, then user cut-offs. */
    CUT_OFF
  }

  /** What a snapshot holds, kind by kind, in memory; what is expired at load time is left out. */
  static final class Contents {
    final Map<SecretKey, PendingAuthorization> pending;
    final Map<SecretKey, Expiring> codes;
    final Map<SecretKey, CaffeineTokenStore.UsedCode> usedCodes;
    final Map<SecretKey, AccessToken> tokens;
    final Map<SecretKey, RefreshToken> refreshTokens;
    final Map<SecretKey, CaffeineTokenStore.UsedCode> usedRefreshTokens;
    final Map<Long, CaffeineTokenStore.RevokedGrant> revokedGrants;
    final Map<SecretKey, FailureCount> failures;
    final Map<String, CutOff> clientCutOffs;
    final Map<String, CutOff> userCutOffs;

    Contents(Map<SecretKey, PendingAuthorization> pending, Map<SecretKey, Expiring> codes,
        Map<SecretKey, CaffeineTokenStore.UsedCode> usedCodes, Map<SecretKey, AccessToken> tokens,
        Map<SecretKey, RefreshToken> refreshTokens, Map<SecretKey, CaffeineTokenStore.UsedCode> usedRefreshTokens,
        Map<Long, CaffeineTokenStore.RevokedGrant> revokedGrants, Map<SecretKey, FailureCount> failures,
        Map<String, CutOff> clientCutOffs, Map<String, CutOff> userCutOffs) {
      this.pending = pending;
      this.codes = codes;
      this.usedCodes = usedCodes;
      this.tokens = tokens;
      this.refreshTokens = refreshTokens;
      this.usedRefreshTokens = usedRefreshTokens;
      this.revokedGrants = revokedGrants;
      this.failures = failures;
      this.clientCutOffs = clientCutOffs;
      this.userCutOffs = userCutOffs;
    }

    long size() {
      return pending.size() + codes.size() + usedCodes.size() + tokens.size() + refreshTokens.size()
          + usedRefreshTokens.size() + revokedGrants.size() + failures.size() + clientCutOffs.size()
          + userCutOffs.size();
    }
  }

  private StoreSnapshot() {}

  // ---- writing ----

  static void write(Path file, Contents contents) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".writing");
    Files.deleteIfExists(temporary);
    try {
      Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(temporary);
    }
    CRC32 crc = new CRC32();
    try (OutputStream raw = Files.newOutputStream(temporary, StandardOpenOption.WRITE);
         DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc)))) {
      out.writeUTF(MAGIC);
      out.writeInt(VERSION);
      section(out, Kind.PENDING, contents.pending, (o, p) -> {
        o.writeUTF(p.clientId());
        o.writeUTF(p.redirectUri());
        o.writeBoolean(p.redirectUriSent());
        o.writeUTF(p.scope());
        nullable(o, p.state());
        nullable(o, p.codeChallenge());
        nullable(o, p.codeChallengeMethod());
        o.writeInt(p.csrfTokenHash().length);
        o.write(p.csrfTokenHash());
        o.writeLong(p.expiresAtEpochSecond());
        o.writeInt(p.approvalAttempts());
      });
      section(out, Kind.CODE, onlyCodes(contents.codes), (o, c) -> {
        o.writeLong(c.grantId());
        o.writeUTF(c.clientId());
        o.writeUTF(c.username());
        o.writeUTF(c.redirectUri());
        o.writeBoolean(c.redirectUriSent());
        o.writeUTF(c.scope());
        nullable(o, c.codeChallenge());
        nullable(o, c.codeChallengeMethod());
        o.writeLong(c.issuedAtEpochSecond()); // since version 2
        o.writeLong(c.expiresAtEpochSecond());
      });
      section(out, Kind.USED_CODE, contents.usedCodes, StoreSnapshot::usedCode);
      section(out, Kind.ACCESS_TOKEN, contents.tokens, (o, t) -> {
        o.writeLong(t.grantId());
        o.writeUTF(t.clientId());
        nullable(o, t.username());
        o.writeUTF(t.scope());
        o.writeLong(t.issuedAtEpochSecond());
        o.writeLong(t.expiresAtEpochSecond());
      });
      section(out, Kind.REFRESH_TOKEN, contents.refreshTokens, (o, t) -> {
        o.writeLong(t.grantId());
        o.writeUTF(t.clientId());
        nullable(o, t.username());
        o.writeUTF(t.scope());
        o.writeLong(t.issuedAtEpochSecond());
        o.writeLong(t.expiresAtEpochSecond());
        o.writeLong(t.grantEndsAtEpochSecond());
      });
      section(out, Kind.USED_REFRESH_TOKEN, contents.usedRefreshTokens, StoreSnapshot::usedCode);
      out.writeByte(Kind.REVOKED_GRANT.ordinal());
      out.writeInt(contents.revokedGrants.size());
      for (Map.Entry<Long, CaffeineTokenStore.RevokedGrant> entry : contents.revokedGrants.entrySet()) {
        out.writeLong(entry.getKey());
        out.writeLong(entry.getValue().expiresAtEpochSecond());
      }
      section(out, Kind.FAILURES, contents.failures, (o, f) -> {
        o.writeInt(f.count()); // an attempt still pending when the node stopped stays a failure
        o.writeLong(f.windowEnds().getEpochSecond());
        o.writeInt(f.windowEnds().getNano());
      });
      out.writeByte(Kind.CUT_OFF.ordinal());
      for (Map<String, CutOff> cutOffs : List.of(contents.clientCutOffs, contents.userCutOffs)) {
        out.writeInt(cutOffs.size());
        for (Map.Entry<String, CutOff> entry : cutOffs.entrySet()) {
          out.writeUTF(entry.getKey());
          out.writeLong(entry.getValue().atEpochSecond());
          out.writeLong(entry.getValue().expiresAtEpochSecond());
        }
      }
      out.flush();
      // The checksum of everything before it, outside the checked stream.
      new DataOutputStream(raw).writeLong(crc.getValue());
    }
    try (var channel = java.nio.channels.FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Map<SecretKey, AuthorizationCode> onlyCodes(Map<SecretKey, Expiring> codes) {
    Map<SecretKey, AuthorizationCode> fresh = new java.util.LinkedHashMap<>();
    codes.forEach((key, value) -> {
      if (value instanceof AuthorizationCode code) {
        fresh.put(key, code);
      }
    });
    return fresh;
  }

  private static void usedCode(DataOutputStream out, CaffeineTokenStore.UsedCode used) throws IOException {
    out.writeLong(used.grantId());
    out.writeUTF(used.clientId());
    nullable(out, used.username()); // since version 3
    out.writeLong(used.expiresAtEpochSecond());
  }

  @FunctionalInterface
  private interface Writer<V> {
    void write(DataOutputStream out, V value) throws IOException;
  }

  private static <V> void section(DataOutputStream out, Kind kind, Map<SecretKey, V> entries, Writer<V> writer)
      throws IOException {
    out.writeByte(kind.ordinal());
    out.writeInt(entries.size());
    for (Map.Entry<SecretKey, V> entry : entries.entrySet()) {
      SecretKey key = entry.getKey();
      out.writeLong(key.a());
      out.writeLong(key.b());
      out.writeLong(key.c());
      out.writeLong(key.d());
      writer.write(out, entry.getValue());
    }
  }

  private static void nullable(DataOutputStream out, String value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      out.writeUTF(value);
    }
  }

  // ---- reading ----

  /** The largest snapshot read: ample for every bound of the store, and no way to exhaust the heap. */
  static final long MAX_BYTES = 4L * 1024 * 1024 * 1024;

  /**
   * Only a regular file this process owns, which nobody else may write: anyone who could write it
   * could plant tokens of their choosing.
   */
  static void requireOwnFile(Path file) throws IOException, Unreadable {
    if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new Unreadable("it is not a regular file");
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new Unreadable("it is larger than any snapshot this store writes");
    }
    try {
      java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.getPosixFilePermissions(file,
          java.nio.file.LinkOption.NOFOLLOW_LINKS);
      if (permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
          || permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
        throw new Unreadable("others may write it (" + PosixFilePermissions.toString(permissions) + ")");
      }
      String owner = Files.getOwner(file, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName();
      String self = System.getProperty("user.name");
      if (!owner.equals(self)) {
        throw new Unreadable("it belongs to " + owner + ", not to " + self + ", who runs this store");
      }
    } catch (UnsupportedOperationException notPosix) {
      // no POSIX permissions here (Windows): the directory's ACLs are the operator's to set
    }
  }

  /** The file is not a whole snapshot of this version: why, for the log. */
  static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Reads the whole file and checks it before anything is used.
   *
   * @param now entries expired by then are left out
   */
  static Contents read(Path file, Instant now) throws IOException, Unreadable {
    CRC32 crc = new CRC32();
    byte[] all = Files.readAllBytes(file);
    if (all.length < Long.BYTES) {
      throw new Unreadable("it is too short to be a snapshot");
    }
    InputStream body = new java.io.ByteArrayInputStream(all, 0, all.length - Long.BYTES);
    long expected = java.nio.ByteBuffer.wrap(all, all.length - Long.BYTES, Long.BYTES).getLong();
    crc.update(all, 0, all.length - Long.BYTES);
    if (crc.getValue() != expected) {
      throw new Unreadable("its checksum does not match: the file is truncated or damaged");
    }
    long nowSecond = now.getEpochSecond();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(body))) {
      if (!MAGIC.equals(in.readUTF())) {
        throw new Unreadable("it is not a Portcullis snapshot");
      }
      int version = in.readInt();
      if (version < OLDEST_READ || version > VERSION) {
        throw new Unreadable("it is a Portcullis snapshot of version " + version + "; this store reads versions "
            + OLDEST_READ + " to " + VERSION);
      }
      Map<SecretKey, PendingAuthorization> pending = section(in, Kind.PENDING, nowSecond, i -> {
        String clientId = i.readUTF();
        String redirectUri = i.readUTF();
        boolean redirectUriSent = i.readBoolean();
        String scope = i.readUTF();
        String state = nullable(i);
        String challenge = nullable(i);
        String method = nullable(i);
        byte[] csrf = new byte[bounded(i.readInt(), 64)];
        i.readFully(csrf);
        return new PendingAuthorization(clientId, redirectUri, redirectUriSent, scope, state, challenge, method,
            csrf, Instant.ofEpochSecond(i.readLong()), i.readInt());
      });
      Map<SecretKey, Expiring> codes = new java.util.LinkedHashMap<>(section(in, Kind.CODE, nowSecond,
          i -> new AuthorizationCode(i.readLong(), i.readUTF(), i.readUTF(), i.readUTF(), i.readBoolean(),
              i.readUTF(), nullable(i), nullable(i),
              version >= 2 ? Instant.ofEpochSecond(i.readLong()) : AuthorizationCode.ISSUED_AT_UNKNOWN,
              Instant.ofEpochSecond(i.readLong()))));
      Map<SecretKey, CaffeineTokenStore.UsedCode> usedCodes = section(in, Kind.USED_CODE, nowSecond,
          i -> usedCode(i, version));
      Map<SecretKey, AccessToken> tokens = section(in, Kind.ACCESS_TOKEN, nowSecond,
          i -> new AccessToken(i.readLong(), i.readUTF(), nullable(i), i.readUTF(), i.readLong(), i.readLong()));
      Map<SecretKey, RefreshToken> refreshTokens = section(in, Kind.REFRESH_TOKEN, nowSecond,
          i -> new RefreshToken(i.readLong(), i.readUTF(), nullable(i), i.readUTF(), i.readLong(), i.readLong(),
              i.readLong()));
      Map<SecretKey, CaffeineTokenStore.UsedCode> usedRefreshTokens = section(in, Kind.USED_REFRESH_TOKEN, nowSecond,
          i -> usedCode(i, version));
      expect(in, Kind.REVOKED_GRANT);
      Map<Long, CaffeineTokenStore.RevokedGrant> revokedGrants = new java.util.LinkedHashMap<>();
      for (int n = count(in); n > 0; n--) {
        long grantId = in.readLong();
        long until = in.readLong();
        if (until > nowSecond) {
          revokedGrants.put(grantId, new CaffeineTokenStore.RevokedGrant(until));
        }
      }
      Map<SecretKey, FailureCount> failures = section(in, Kind.FAILURES, nowSecond,
          i -> new FailureCount(i.readInt(), 0, Instant.ofEpochSecond(i.readLong(), i.readInt())));
      Map<String, CutOff> clientCutOffs = new java.util.LinkedHashMap<>();
      Map<String, CutOff> userCutOffs = new java.util.LinkedHashMap<>();
      if (version >= 2) {
        expect(in, Kind.CUT_OFF);
        for (Map<String, CutOff> cutOffs : List.of(clientCutOffs, userCutOffs)) {
          for (int n = count(in); n > 0; n--) {
            String id = in.readUTF();
            CutOff cutOff = new CutOff(in.readLong(), in.readLong());
            if (cutOff.expiresAtEpochSecond() > nowSecond) {
              cutOffs.put(id, cutOff);
            }
          }
        }
      }
      if (in.read() != -1) {
        throw new Unreadable("it goes on after its last section");
      }
      return new Contents(pending, codes, usedCodes, tokens, refreshTokens, usedRefreshTokens, revokedGrants,
          failures, clientCutOffs, userCutOffs);
    } catch (EOFException | java.io.UTFDataFormatException | RuntimeException e) {
      // A checksum that matches a damaged body is unlikely, not impossible: still never half-loaded.
      throw new Unreadable("it cannot be read: " + e.getClass().getSimpleName());
    }
  }

  private static CaffeineTokenStore.UsedCode usedCode(DataInputStream in, int version) throws IOException {
    return new CaffeineTokenStore.UsedCode(in.readLong(), in.readUTF(), version >= 3 ? nullable(in) : null,
        in.readLong());
  }

  @FunctionalInterface
  private interface Reader<V> {
    V read(DataInputStream in) throws IOException, Unreadable;
  }

  private static <V extends Expiring> Map<SecretKey, V> section(DataInputStream in, Kind kind, long now,
      Reader<V> reader) throws IOException, Unreadable {
    expect(in, kind);
    Map<SecretKey, V> entries = new java.util.LinkedHashMap<>();
    for (int n = count(in); n > 0; n--) {
      SecretKey key = new SecretKey(in.readLong(), in.readLong(), in.readLong(), in.readLong());
      V value = reader.read(in);
      if (value.expiresAtEpochSecond() > now) {
        entries.put(key, value);
      }
    }
    return entries;
  }

  private static void expect(DataInputStream in, Kind kind) throws IOException, Unreadable {
    if (in.readByte() != kind.ordinal()) {
      throw new Unreadable("its sections are out of order at " + kind);
    }
  }

  private static int count(DataInputStream in) throws IOException, Unreadable {
    return bounded(in.readInt(), Integer.MAX_VALUE);
  }

  private static int bounded(int n, int max) throws Unreadable {
    if (n < 0 || n > max) {
      throw new Unreadable("it holds an impossible count");
    }
    return n;
  }

  private static String nullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
