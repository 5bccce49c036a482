package dev.lichen.gateway.ingest;

/** The answer to a device for one pack: accepted once durable (maybe all duplicates), or rejected with why. */
public sealed interface IngestOutcome {
    record Accepted(int stored, int duplicates) implements IngestOutcome {}

    record Rejected(RejectReason reason, String message) implements IngestOutcome {}
}
