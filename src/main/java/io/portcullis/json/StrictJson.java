package io.portcullis.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;

/**
 * Parses one JSON document strictly (RFC 8259): no comments, no single quotes, no trailing
 * content, and no object with the same key twice. Gson's own tree parser is lenient and lets a
 * repeated key silently win, which would let a config typo or a crafted token request hide a
 * value; this parser refuses both.
 */
public final class StrictJson {

  private static final java.util.regex.Pattern GSON_POSITION =
      java.util.regex.Pattern.compile("at line (\\d+) column (\\d+)");

  /** Nesting deeper than this is refused: no legitimate request or config needs it. */
  private static final int MAX_DEPTH = 32;

  private StrictJson() {}

  public static JsonElement parse(String text) throws MalformedJsonException {
    return parse(new StringReader(text));
  }

  public static JsonElement parse(Reader in) throws MalformedJsonException {
    JsonReader reader = new JsonReader(in);
    reader.setStrictness(Strictness.STRICT);
    try {
      JsonElement root = read(reader, "$", 0);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new MalformedJsonException("unexpected content after the JSON value", null);
      }
      return root;
    } catch (com.google.gson.stream.MalformedJsonException | JsonParseException | IllegalStateException e) {
      // Gson's messages may quote the document (key names in "path $.name", the characters of a
      // bad escape): for answers to requests, keep only where the problem is.
      String message = describe(e);
      throw new MalformedJsonException(message, "malformed JSON" + at(message));
    } catch (java.io.EOFException e) {
      throw new MalformedJsonException("the JSON document ends too early" + at(e.getMessage()), null);
    } catch (NumberFormatException e) {
      throw new MalformedJsonException("a number is not valid JSON", null);
    } catch (IOException e) {
      throw new MalformedJsonException("the JSON document could not be read: " + e.getMessage(),
          "the JSON document could not be read");
    }
  }

  private static JsonElement read(JsonReader reader, String path, int depth)
      throws IOException, MalformedJsonException {
    if (depth > MAX_DEPTH) {
      throw new MalformedJsonException("JSON nested more than " + MAX_DEPTH + " levels deep", null);
    }
    switch (reader.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject object = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          if (object.has(name)) {
            throw new MalformedJsonException(path + "." + name + ": the key appears more than once",
                "a key appears more than once in one object" + at(reader.toString()));
          }
          object.add(name, read(reader, path + "." + name, depth + 1));
        }
        reader.endObject();
        return object;
      }
      case BEGIN_ARRAY -> {
        JsonArray array = new JsonArray();
        reader.beginArray();
        int index = 0;
        while (reader.hasNext()) {
          array.add(read(reader, path + "[" + index++ + "]", depth + 1));
        }
        reader.endArray();
        return array;
      }
      case STRING -> {
        return new JsonPrimitive(reader.nextString());
      }
      case NUMBER -> {
        return new JsonPrimitive(new BigDecimal(reader.nextString()));
      }
      case BOOLEAN -> {
        return new JsonPrimitive(reader.nextBoolean());
      }
      case NULL -> {
        reader.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw new MalformedJsonException("expected a JSON value at " + path, "expected a JSON value");
    }
  }

  /** " at line L column C" from a message of Gson's, or nothing when it names no position. */
  private static String at(String gsonText) {
    java.util.regex.Matcher position = GSON_POSITION.matcher(gsonText == null ? "" : gsonText);
    return position.find() ? " at line " + position.group(1) + " column " + position.group(2) : "";
  }

  /** Gson's messages name its own troubleshooting pages; keep the part a person can act on. */
  private static String describe(Exception e) {
    String message = e.getMessage() == null ? "malformed JSON" : e.getMessage();
    int see = message.indexOf("\nSee ");
    if (see >= 0) {
      message = message.substring(0, see);
    }
    return message.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON at", "at");
  }

  /**
   * The document is not valid JSON; the message says where and why, naming the keys on the way
   * (for a config file, whose author wants the path). {@link #withoutInput()} says the same without
   * repeating anything of the document, for an answer to a request.
   */
  public static final class MalformedJsonException extends Exception {
    private final String withoutInput;

    MalformedJsonException(String message, String withoutInput) {
      super(message, null, false, false);
      this.withoutInput = withoutInput == null ? message : withoutInput;
    }

    /** The kind of problem and its line and column, but nothing of the document itself. */
    public String withoutInput() {
      return withoutInput;
    }
  }
}
