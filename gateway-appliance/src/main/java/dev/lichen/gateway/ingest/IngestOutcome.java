package dev.lichen.gateway.ingest;

/**
 * What became of one pack: Queued once it is durable in the ingest journal (what a device is
 * acknowledged on), Accepted once it is in the store (maybe all duplicates), or Rejected with why.
 */
public sealed interface IngestOutcome {
    record Queued(int readings) implements IngestOutcome {}

    record Accepted(int stored, int duplicates) implements IngestOutcome {}

    record Rejected(RejectReason reason, String message) implements IngestOutcome {}
}
