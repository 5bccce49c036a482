package dev.lichen.benchmarks.gateway;

/** The pack a load device sends for a sequence number. */
@FunctionalInterface
interface Packs {
    byte[] pack(String deviceId, long seq);
}
