package dev.lichen.senml;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few CBOR items a SenML pack needs, always in their shortest form (RFC 8949 preferred
 * serialization). Jackson's CBORGenerator parses fine but cannot emit half-precision floats,
 * which RFC 8428 packs rely on for compactness; decoding stays with Jackson.
 */
final class CborWriter {
    private static final double TWO_53 = 9007199254740992.0;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    void array(int size) { head(4, size); }

    void map(int size) { head(5, size); }

    void text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        head(3, b.length);
        out.writeBytes(b);
    }

    void bytes(byte[] b) {
        head(2, b.length);
        out.writeBytes(b);
    }

    void bool(boolean b) { out.write(b ? 0xf5 : 0xf4); }

    void integer(long v) {
        if (v >= 0) head(0, v);
        else head(1, -1 - v);
    }

    /**
     * The shortest item that decodes to exactly this double: integer, half, single, a decimal
     * fraction (tag 4, which RFC 8428 section 6 lists for SenML numbers: 21.53 takes 6 bytes
     * instead of 9) or double.
     */
    void number(double v) {
        long bits = Double.doubleToRawLongBits(v);
        if (v == Math.rint(v) && Math.abs(v) <= TWO_53 && bits != Long.MIN_VALUE) { // -0.0 stays a float
            integer((long) v);
            return;
        }
        short half = Float.floatToFloat16((float) v);
        if (Double.doubleToRawLongBits(Float.float16ToFloat(half)) == bits) {
            out.write(0xf9);
            out.write(half >> 8);
            out.write(half);
            return;
        }
        float single = (float) v;
        if (Double.doubleToRawLongBits(single) == bits) {
            out.write(0xfa);
            writeBig(Float.floatToRawIntBits(single), 4);
            return;
        }
        if (bits != Long.MIN_VALUE && decimalFraction(v)) return;
        out.write(0xfb);
        writeBig(bits, 8);
    }

    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

    /**
     * Writes v as 4([-digits, mantissa]) with the fewest decimal digits that read back as exactly
     * v (powers of ten up to 1e15 are exact doubles, so m / 10^d is correctly rounded), when that
     * beats the 9 bytes of a double.
     */
    private boolean decimalFraction(double v) {
        for (int digits = 1; digits < POW10.length; digits++) {
            double m = Math.rint(v * POW10[digits]);
            if (Math.abs(m) >= TWO_53) return false;
            if (m / POW10[digits] != v) continue;
            long mantissa = (long) m;
            if (2 + 1 + headSize(mantissa < 0 ? -1 - mantissa : mantissa) >= 9) return false;
            out.write(0xc4);
            array(2);
            integer(-digits);
            integer(mantissa);
            return true;
        }
        return false;
    }

    private static int headSize(long arg) {
        return arg < 24 ? 1 : arg < 0x100 ? 2 : arg < 0x10000 ? 3 : arg < 0x100000000L ? 5 : 9;
    }

    byte[] toByteArray() { return out.toByteArray(); }

    int size() { return out.size(); }

    private void head(int major, long arg) {
        int mt = major << 5;
        if (arg < 24) out.write(mt | (int) arg);
        else if (arg < 0x100) { out.write(mt | 24); writeBig(arg, 1); }
        else if (arg < 0x10000) { out.write(mt | 25); writeBig(arg, 2); }
        else if (arg < 0x100000000L) { out.write(mt | 26); writeBig(arg, 4); }
        else { out.write(mt | 27); writeBig(arg, 8); }
    }

    private void writeBig(long v, int n) {
        for (int i = n - 1; i >= 0; i--) out.write((int) (v >>> (8 * i)));
    }
}
