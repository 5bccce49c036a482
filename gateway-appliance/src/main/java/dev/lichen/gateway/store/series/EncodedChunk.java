package dev.lichen.gateway.store.series;

/** A chunk as the store keeps it: the blob, and the summary that goes in the row's columns beside it. */
public record EncodedChunk(byte[] blob, ChunkSummary summary) {}
