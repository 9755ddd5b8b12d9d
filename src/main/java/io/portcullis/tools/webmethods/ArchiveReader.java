package io.portcullis.tools.webmethods;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads an API Gateway export archive ({@code GET /rest/apigateway/archive}) in memory, as the
 * untrusted file it is: nothing is ever written to disk, an entry whose name climbs out of the
 * archive ({@code ../}, an absolute path, a drive letter) or appears twice refuses the whole
 * archive, and so do more entries, more bytes, or a higher compression ratio than {@link Limits}
 * allow — counted while decompressing, never trusted from the headers. Only the entries of
 * strategies, applications and aliases are kept.
 */
final class ArchiveReader {
  private ArchiveReader() {}

  /**
   * How much an archive may unpack to.
   *
   * @param ratioFloor below this many bytes an entry is not judged by its ratio (tiny entries
   *                   compress little or absurdly well, harmlessly)
   */
  record Limits(int maxEntries, long maxEntryBytes, long maxTotalBytes, long maxRatio, long ratioFloor) {
    /** An export of a few hundred assets unpacks to a few MiB; these leave two orders of magnitude. */
    static final Limits DEFAULT = new Limits(20_000, 16L << 20, 256L << 20, 100, 1L << 20);
  }

  /** The entries kept, by name in archive order, and what else is worth saying about the archive. */
  record Archive(Map<String, byte[]> entries, int encryptedSecrets) {}

  /** True for the bytes a ZIP archive starts with (a local file header, or an empty archive's end). */
  static boolean isZip(byte[] content) {
    return content.length >= 4 && content[0] == 'P' && content[1] == 'K'
        && ((content[2] == 3 && content[3] == 4) || (content[2] == 5 && content[3] == 6));
  }

  /** The kind of asset an entry holds, from the last part of its name; null for the rest. */
  static String kind(String name) {
    String last = name.substring(name.lastIndexOf('/') + 1);
    for (String kind : new String[] {"Strategy", "Application", "Alias"}) {
      if (last.startsWith(kind + ".")) {
        return kind;
      }
    }
    return null;
  }

  static Archive read(byte[] zip, Limits limits) throws ExportException {
    Map<String, byte[]> kept = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    int count = 0;
    int encrypted = 0;
    long total = 0;
    byte[] buffer = new byte[8192];
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip), StandardCharsets.UTF_8)) {
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        if (++count > limits.maxEntries()) {
          throw refused("more than " + limits.maxEntries() + " entries");
        }
        String name = entry.getName();
        checkName(name);
        if (!seen.add(name.replace('\\', '/'))) {
          throw refused("the entry " + printable(name) + " appears twice");
        }
        if (entry.getSize() > limits.maxEntryBytes()) {
          throw refused("the entry " + printable(name) + " says it unpacks to " + entry.getSize() + " bytes");
        }
        if (name.contains("PassmanData")) {
          encrypted++;
        }
        ByteArrayOutputStream content = !entry.isDirectory() && kind(name) != null ? new ByteArrayOutputStream() : null;
        long size = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
          size += n;
          total += n;
          if (size > limits.maxEntryBytes()) {
            throw refused("the entry " + printable(name) + " unpacks to more than " + limits.maxEntryBytes() + " bytes");
          }
          if (total > limits.maxTotalBytes()) {
            throw refused("it unpacks to more than " + limits.maxTotalBytes() + " bytes");
          }
          if (content != null) {
            content.write(buffer, 0, n);
          }
        }
        // Known once the entry is read, also when a data descriptor follows it.
        long compressed = entry.getCompressedSize();
        if (size > limits.ratioFloor() && compressed > 0 && size / compressed > limits.maxRatio()) {
          throw refused("the entry " + printable(name) + " unpacks " + size / compressed
              + " times its packed size (a ZIP bomb?)");
        }
        if (content != null) {
          kept.put(name, content.toByteArray());
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // ZipException, EOFException (truncated), IllegalArgumentException (a name that is not UTF-8)
      throw new ExportException("the export is not a readable ZIP archive: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + printable(e.getMessage())));
    }
    if (total > limits.ratioFloor() && total / Math.max(1, zip.length) > limits.maxRatio()) {
      throw refused("it unpacks " + total / zip.length + " times its size (a ZIP bomb?)");
    }
    if (count == 0) {
      // An empty archive is its end record alone; a local header that leads to no entry is damage.
      throw new ExportException(zip[2] == 5 ? "the export is an empty ZIP archive"
          : "the export is not a readable ZIP archive: no entry could be read from it");
    }
    return new Archive(kept, encrypted);
  }

  /** Names are only read, never used as paths; one that could be one outside the archive is an attack all the same. */
  private static void checkName(String name) throws ExportException {
    String slashed = name.replace('\\', '/');
    if (slashed.startsWith("/") || slashed.matches("^[A-Za-z]:.*")) {
      throw refused("the entry " + printable(name) + " has an absolute name");
    }
    for (String part : slashed.split("/", -1)) {
      if (part.equals("..")) {
        throw refused("the entry " + printable(name) + " climbs out of the archive (..)");
      }
    }
    if (name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
      throw refused("an entry has an empty name or control characters in it");
    }
  }

  private static ExportException refused(String why) {
    return new ExportException("the archive is refused: " + why);
  }

  /** Text from the archive, safe for a terminal: no control characters, at most 200 characters, in quotes. */
  static String printable(String text) {
    return "\"" + safe(text) + "\"";
  }

  /** {@link #printable} without the quotes, for a word such as a strategy's type. */
  static String safe(String text) {
    String safe = text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return safe.length() > 200 ? safe.substring(0, 200) + "…" : safe;
  }
}
