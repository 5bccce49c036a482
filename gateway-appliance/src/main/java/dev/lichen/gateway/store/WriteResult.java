package dev.lichen.gateway.store;

import java.util.List;

/**
 * What a group commit did with one batch: the device as it is after the commit, the readings
 * newly stored, and how many were already there (duplicates). refused is true when the device is
 * REJECTED (nothing stored).
 */
public record WriteResult(Device device, List<StoredReading> stored, int duplicates, boolean refused) {
    public WriteResult {
        stored = List.copyOf(stored);
    }
}
