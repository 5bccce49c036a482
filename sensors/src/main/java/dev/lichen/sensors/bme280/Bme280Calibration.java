package dev.lichen.sensors.bme280;

/**
 * The trimming parameters a BME280 carries in NVM (registers 0x88..0xA1 and 0xE1..0xE7), and the
 * datasheet's integer compensation formulas (BME280 datasheet section 4.2.3 / 8.2: 32-bit for
 * temperature and humidity, 64-bit for pressure). The same arithmetic as the C reference, in Java
 * ints and longs, which wrap the same way.
 */
public record Bme280Calibration(
        int t1, int t2, int t3,
        int p1, int p2, int p3, int p4, int p5, int p6, int p7, int p8, int p9,
        int h1, int h2, int h3, int h4, int h5, int h6) {

    /**
     * A realistic part: temperature and pressure trimming from the worked example of Bosch's
     * BMP280 datasheet (whose T/P compensation is the BME280's), humidity trimming as read from a
     * typical BME280.
     */
    public static final Bme280Calibration TYPICAL = new Bme280Calibration(
            27504, 26435, -1000,
            36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
            75, 362, 0, 313, 50, 30);

    /** Parses 0x88..0xA1 (26 bytes; 0xA0 unused) and 0xE1..0xE7 (7 bytes). */
    public static Bme280Calibration parse(byte[] b1, byte[] b2) {
        if (b1.length < 26 || b2.length < 7) {
            throw new IllegalArgumentException("bme280 calibration needs 26 + 7 bytes");
        }
        return new Bme280Calibration(
                u16(b1, 0), s16(b1, 2), s16(b1, 4),
                u16(b1, 6), s16(b1, 8), s16(b1, 10), s16(b1, 12), s16(b1, 14), s16(b1, 16),
                s16(b1, 18), s16(b1, 20), s16(b1, 22),
                b1[25] & 0xFF,
                s16(b2, 0),
                b2[2] & 0xFF,
                // H4 = 0xE4[7:0] / 0xE5[3:0], H5 = 0xE6[7:0] / 0xE5[7:4]: 12-bit signed
                (b2[3] << 4) | (b2[4] & 0x0F),
                (b2[5] << 4) | ((b2[4] >> 4) & 0x0F),
                b2[6]);
    }

    /** The 26 bytes at 0x88..0xA1, as a chip holds them. */
    public byte[] block1() {
        byte[] b = new byte[26];
        int[] words = {t1, t2, t3, p1, p2, p3, p4, p5, p6, p7, p8, p9};
        for (int i = 0; i < words.length; i++) {
            b[i * 2] = (byte) words[i];
            b[i * 2 + 1] = (byte) (words[i] >> 8);
        }
        b[25] = (byte) h1;
        return b;
    }

    /** The 7 bytes at 0xE1..0xE7. */
    public byte[] block2() {
        return new byte[] {
            (byte) h2, (byte) (h2 >> 8), (byte) h3,
            (byte) (h4 >> 4), (byte) ((h4 & 0x0F) | ((h5 & 0x0F) << 4)), (byte) (h5 >> 4), (byte) h6};
    }

    /** t_fine, the fine temperature the pressure and humidity formulas take. */
    public int tFine(int adcT) {
        int var1 = (((adcT >> 3) - (t1 << 1)) * t2) >> 11;
        int d = (adcT >> 4) - t1;
        int var2 = (((d * d) >> 12) * t3) >> 14;
        return var1 + var2;
    }

    /** Temperature in 0.01 degC ("5123" is 51.23 degC). */
    public static int temperature(int tFine) {
        return (tFine * 5 + 128) >> 8;
    }

    /** Pressure in Pa as unsigned Q24.8 ("24674867" is 24674867/256 = 96386.2 Pa); 0 if undefined. */
    public long pressure(int tFine, int adcP) {
        long var1 = (long) tFine - 128000;
        long var2 = var1 * var1 * p6;
        var2 = var2 + ((var1 * p5) << 17);
        var2 = var2 + ((long) p4 << 35);
        var1 = ((var1 * var1 * p3) >> 8) + ((var1 * p2) << 12);
        var1 = (((1L << 47) + var1) * p1) >> 33;
        if (var1 == 0) {
            return 0; // avoids a division by zero, as the datasheet does
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = ((long) p9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = ((long) p8 * p) >> 19;
        return ((p + var1 + var2) >> 8) + ((long) p7 << 4);
    }

    /** Relative humidity in %RH as unsigned Q22.10 ("47445" is 47445/1024 = 46.333 %RH). */
    public int humidity(int tFine, int adcH) {
        int v = tFine - 76800;
        v = ((((adcH << 14) - (h4 << 20) - (h5 * v)) + 16384) >> 15)
                * (((((((v * h6) >> 10) * (((v * h3) >> 11) + 32768)) >> 10) + 2097152) * h2 + 8192) >> 14);
        v = v - (((((v >> 15) * (v >> 15)) >> 7) * h1) >> 4);
        v = Math.max(v, 0);
        v = Math.min(v, 419430400);
        return v >>> 12;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
    }

    private static int s16(byte[] b, int i) {
        return (short) u16(b, i);
    }
}
