package dev.lichen.gateway.store.series;

import java.util.Objects;

/** What one reading of a chunk holds: a finite number (booleans are 1/0) or a text (strings, base64 data). */
public sealed interface ChunkValue {

    /** A finite double; NaN and infinities have no place in a summary's min/max/sum, so they never get this far. */
    record Num(double value) implements ChunkValue {
        public Num {
            if (!Double.isFinite(value))
                throw new IllegalArgumentException("a number must be finite, got " + value);
        }
    }

    /** Any Java string, unpaired surrogates included: the codec stores UTF-16 units, not UTF-8. */
    record Text(String text) implements ChunkValue {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }
}
