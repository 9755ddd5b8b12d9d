package io.portcullis.tools.webmethods;

import java.util.ArrayList;
import java.util.List;

/**
 * What one webMethods export holds for Portcullis: the OAuth clients, what was passed over and
 * why, and the {@code local} alias when the export has it. Filled by the readers, in the order of
 * the export.
 */
public final class Export {

  /** Something of the export that is not imported, and why (for the report). */
  public record Skipped(String what, String reason) {}

  private final String shape;
  private final List<GatewayClient> clients = new ArrayList<>();
  private final List<Skipped> skipped = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private LocalAlias alias;

  /** @param shape what kind of export this is, for the report ("an API Gateway archive") */
  Export(String shape) {
    this.shape = shape;
  }

  public String shape() {
    return shape;
  }

  public List<GatewayClient> clients() {
    return clients;
  }

  public List<Skipped> skipped() {
    return skipped;
  }

  /** Things of the export as a whole worth knowing (encrypted entries passed over, ...). */
  public List<String> notes() {
    return notes;
  }

  /** The {@code local} alias; null when the export does not hold it. */
  public LocalAlias alias() {
    return alias;
  }

  void add(GatewayClient client) {
    clients.add(client);
  }

  void skip(String what, String reason) {
    skipped.add(new Skipped(what, reason));
  }

  void note(String note) {
    notes.add(note);
  }

  void alias(LocalAlias alias) {
    this.alias = alias;
  }
}
