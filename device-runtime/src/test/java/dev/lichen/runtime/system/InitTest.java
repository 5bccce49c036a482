package dev.lichen.runtime.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class InitTest {
    @Test
    void theUnsetClockFloorIsTheStartOf2025() {
        assertEquals(Instant.parse("2025-01-01T00:00:00Z").toEpochMilli(), Init.CLOCK_FLOOR_MILLIS);
    }
}
