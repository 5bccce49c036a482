package dev.lichen.senml;

import java.util.List;

/**
 * What travels in one SenML pack: a device's readings plus Lichen's exactly-once identity.
 * Reading i carries sequence {@code firstSeq + i}; (deviceId, bootId, seq) names it for ever.
 */
public record Batch(String deviceId, String bootId, long firstSeq, List<Reading> readings) {
    public Batch {
        readings = List.copyOf(readings);
    }
}
