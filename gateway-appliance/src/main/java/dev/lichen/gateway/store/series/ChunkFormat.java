package dev.lichen.gateway.store.series;

import java.util.zip.CRC32C;

/**
 * Format version 1 of a chunk blob, shared by {@link ChunkEncoder} and {@link ChunkDecoder}. One
 * bit stream, most significant bit first, column after column:
 *
 * <pre>
 * u8       version (1)
 * varint   n, the number of readings (1 .. MAX_READINGS)
 * times    zigzag varint t[0], then n-1 codes of the delta-of-delta (previous delta starts at 0)
 * boots    varint runs; per run: zigzag varint of boot minus the previous run's (the first: minus 0),
 *          varint length, then that run's seqs as a series like the times (a reboot starts afresh)
 * kinds    2 bits: 0 numbers only, 1 texts only, 2 mixed; mixed: 1 bit first kind (0 number),
 *          varint runs, varint length of each run, kinds alternating
 * numbers  if any: 2 bits method; XOR: 64 raw bits, then Gorilla XOR codes; DECIMAL_1 / DECIMAL_2:
 *          3 bits scale s, then the values times 10^s as a series of order 1 (deltas) or 2
 * texts    if any: varint d, dictionary of d strings (varint length, UTF-16 units as varints),
 *          varint runs; per run: index in ceil(log2 d) bits, varint length
 * zero bits to the byte, then u32 CRC-32C of all bytes before it
 * </pre>
 *
 * A code is zigzag-mapped and bucketed: '0' is 0; '10' + 2 bits, '110' + 4, '1110' + 7,
 * '11110' + 12, '111110' + 24, '1111110' + 40, '1111111' + all 64 bits: small steps and a few ms
 * of clock jitter stay short. Arithmetic on deltas wraps, so every long round-trips,
 * Long.MIN_VALUE next to Long.MAX_VALUE included.
 */
final class ChunkFormat {
    static final int VERSION = 1;
    /** Far above an hour of 10 Hz readings; bounds what a corrupt count can make the decoder allocate. */
    static final int MAX_READINGS = 1 << 20;
    static final int CRC_BYTES = 4;

    static final int KINDS_NUMBERS = 0, KINDS_TEXTS = 1, KINDS_MIXED = 2;
    static final int METHOD_XOR = 0, METHOD_DECIMAL_1 = 1, METHOD_DECIMAL_2 = 2;
    static final int MAX_SCALE = 6;
    static final double[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    /** Payload bits of bucket i, whose prefix is i ones and a zero (the last bucket has no zero). */
    static final int[] CODE_WIDTHS = {0, 2, 4, 7, 12, 24, 40, 64};

    private ChunkFormat() {}

    static int crc(byte[] b, int length) {
        CRC32C c = new CRC32C();
        c.update(b, 0, length);
        return (int) c.getValue();
    }

    /** Bits to write an index below d: 0 for a one-entry dictionary. */
    static int indexBits(int d) {
        return d <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(d - 1L);
    }
}
