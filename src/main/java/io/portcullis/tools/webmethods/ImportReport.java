package io.portcullis.tools.webmethods;

import java.util.ArrayList;
import java.util.List;

/**
 * What an import did, for the operator (standard error): per client imported, changed (what and
 * why) or skipped (why), the settings taken, and the totals. A freshly generated secret appears
 * here once, in its own section, and nowhere else; a secret that came from the export never does.
 */
public final class ImportReport {

  /**
   * @param changes       what differs from webMethods, and why; empty when nothing does
   * @param rotatedSecret the generated secret in clear, or null
   * @param replaced      the merged config already had a client of this id
   */
  public record Imported(String clientId, String source, List<String> changes, String rotatedSecret, boolean replaced) {
    @Override
    public String toString() {
      return "Imported[" + clientId + "]";
    }
  }

  private final String shape;
  private final List<Imported> imported = new ArrayList<>();
  private final List<Export.Skipped> skipped = new ArrayList<>();
  private final List<String> settings = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  ImportReport(String shape) {
    this.shape = shape;
  }

  public List<Imported> imported() {
    return imported;
  }

  public List<Export.Skipped> skipped() {
    return skipped;
  }

  void add(Imported client) {
    imported.add(client);
  }

  void skip(Export.Skipped skip) {
    skipped.add(skip);
  }

  void setting(String line) {
    settings.add(line);
  }

  void note(String line) {
    notes.add(line);
  }

  public String render() {
    StringBuilder text = new StringBuilder("webMethods import: ").append(shape).append('\n');
    for (Imported client : imported) {
      text.append("  imported  ").append(client.clientId()).append("  from ").append(client.source())
          .append(client.replaced() ? " (replaces the client of this id in the merged config)" : "").append('\n');
      for (String change : client.changes()) {
        text.append("    changed: ").append(change).append('\n');
      }
    }
    for (Export.Skipped skip : skipped) {
      text.append("  skipped   ").append(skip.what()).append(": ").append(skip.reason()).append('\n');
    }
    for (String setting : settings) {
      text.append("  setting   ").append(setting).append('\n');
    }
    for (String note : notes) {
      text.append("  note      ").append(note).append('\n');
    }
    long changed = imported.stream().filter(c -> !c.changes().isEmpty()).count();
    List<Imported> rotated = imported.stream().filter(c -> c.rotatedSecret() != null).toList();
    text.append("Totals: ").append(imported.size()).append(" imported (").append(changed).append(" changed, ")
        .append(rotated.size()).append(" secret").append(rotated.size() == 1 ? "" : "s").append(" rotated), ")
        .append(skipped.size()).append(" skipped\n");
    if (!rotated.isEmpty()) {
      text.append("Secrets rotated: shown only here; hand each to its client's owners over a safe channel "
          + "(the config holds only their hashes)\n");
      for (Imported client : rotated) {
        text.append("  secret rotated  ").append(client.clientId()).append("  ").append(client.rotatedSecret()).append('\n');
      }
    }
    return text.toString();
  }
}
