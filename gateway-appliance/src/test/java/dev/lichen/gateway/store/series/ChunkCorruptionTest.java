package dev.lichen.gateway.store.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Damaged, truncated and crafted blobs are refused with CorruptChunkException, quickly and in bounded memory. */
class ChunkCorruptionTest {

    private static byte[] sample(long seed) {
        return ChunkEncoder.encode(ChunkGen.chunk(new Random(seed))).blob();
    }

    @Test
    void everyTruncationIsRefused() {
        for (long seed = 0; seed < 20; seed++) {
            byte[] blob = sample(seed);
            for (int len = 0; len < blob.length; len++) {
                byte[] cut = Arrays.copyOf(blob, len);
                assertThrows(CorruptChunkException.class, () -> ChunkDecoder.decode(cut), "cut to " + len + " of " + blob.length);
            }
        }
    }

    @Test
    void everySingleBitFlipIsRefused() {
        byte[] blob = ChunkEncoder.encode(ChunkSizeTest.temperatureHour(1)).blob();
        for (int bit = 0; bit < blob.length * 8; bit++) {
            byte[] bad = blob.clone();
            bad[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            assertThrows(CorruptChunkException.class, () -> ChunkDecoder.decode(bad));
        }
    }

    @Test
    void messagesSayWhatIsWrong() {
        byte[] blob = ChunkEncoder.encode(ChunkSizeTest.temperatureHour(1)).blob();
        byte[] v2 = blob.clone();
        v2[0] = 2;
        assertEquals("unknown chunk format version 2 (this build reads 1)",
                assertThrows(CorruptChunkException.class, () -> ChunkDecoder.decode(v2)).getMessage());
        byte[] flipped = blob.clone();
        flipped[20] ^= 4;
        assertTrue(assertThrows(CorruptChunkException.class, () -> ChunkDecoder.decode(flipped)).getMessage()
                .contains("checksum mismatch"));
        byte[] longer = Arrays.copyOf(blob, blob.length + 1);
        assertThrows(CorruptChunkException.class, () -> ChunkDecoder.decode(longer));
        assertTrue(assertThrows(CorruptChunkException.class, () -> ChunkDecoder.decode(new byte[3])).getMessage()
                .contains("shorter than the smallest chunk"));
    }

    @Test
    void aHugeCountWithAValidChecksumIsRefusedBeforeAnyAllocation() {
        byte[] body = {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0, 0, 0, 0, 0, 0};
        var e = assertThrows(CorruptChunkException.class, () -> ChunkDecoder.decode(withCrc(body)));
        assertTrue(e.getMessage().startsWith("reading count 2147483647 outside 1.."), e.getMessage());
    }

    /**
     * Blobs mutated then given a valid CRC, as a bug or an attacker could write them: each decodes
     * or is refused, never with another exception, never looping, never allocating past bounds.
     */
    @Test
    void craftedBlobsWithValidChecksumsDecodeOrAreRefused() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random rnd = new Random(99);
            int refused = 0, decoded = 0;
            for (int i = 0; i < 20_000; i++) {
                byte[] blob = i % 4 == 0 ? randomBody(rnd) : mutated(sample(i % 200), rnd);
                try {
                    List<ChunkReading> rs = ChunkDecoder.decode(withCrc(Arrays.copyOf(blob, blob.length - ChunkFormat.CRC_BYTES)));
                    assertTrue(rs.size() <= blob.length * 8);
                    decoded++;
                } catch (CorruptChunkException expected) {
                    refused++;
                }
            }
            System.out.println("crafted blobs: " + decoded + " decoded, " + refused + " refused");
            assertTrue(refused > 10_000, "refused " + refused);
        });
    }

    private static byte[] randomBody(Random rnd) {
        byte[] b = new byte[12 + rnd.nextInt(200)];
        rnd.nextBytes(b);
        b[0] = 1;
        return b;
    }

    private static byte[] mutated(byte[] blob, Random rnd) {
        byte[] b = blob.clone();
        for (int j = 0, flips = 1 + rnd.nextInt(3); j < flips; j++) {
            int at = 1 + rnd.nextInt(b.length - 1 - ChunkFormat.CRC_BYTES);
            b[at] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : (byte) (b[at] ^ (1 << rnd.nextInt(8)));
        }
        return b;
    }

    private static byte[] withCrc(byte[] body) {
        byte[] out = Arrays.copyOf(body, body.length + ChunkFormat.CRC_BYTES);
        int crc = ChunkFormat.crc(body, body.length);
        for (int i = 0; i < 4; i++) out[body.length + i] = (byte) (crc >>> (24 - 8 * i));
        return out;
    }
}
