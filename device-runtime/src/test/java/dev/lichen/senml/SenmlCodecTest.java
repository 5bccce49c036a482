package dev.lichen.senml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.SenmlException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SenmlCodecTest {
    static final long NOW_MS = 1_764_170_000_000L;
    static final Clock FIXED = new Clock() {
        @Override public long epochMillis() { return NOW_MS; }
        @Override public long monotonicNanos() { return 0; }
        @Override public void sleep(Duration d) {}
    };
    final SenmlCodec codec = new SenmlCodec(SenmlLimits.DEFAULT, FIXED);

    List<SenmlRecord> json(String s) throws SenmlException {
        return codec.decode(s.getBytes(StandardCharsets.UTF_8), SenmlFormat.JSON);
    }

    static void rec(SenmlRecord r, String name, String unit, double v, double time) {
        assertEquals(name, r.name());
        assertEquals(unit, r.unit());
        assertEquals(new Value.Number(v), r.value(), name);
        assertEquals(time, r.time(), 1e-6, name);
    }

    // ---------------------------------------------------------------- RFC 8428 section 5

    @Test
    void rfc_5_1_1_single_data_point_is_now() throws Exception {
        var rs = json("[{\"n\":\"urn:dev:ow:10e2073a01080063\",\"u\":\"Cel\",\"v\":23.1}]");
        assertEquals(1, rs.size());
        rec(rs.getFirst(), "urn:dev:ow:10e2073a01080063", "Cel", 23.1, NOW_MS / 1000.0);
        assertNull(rs.getFirst().sum());
    }

    @Test
    void rfc_5_1_2_multiple_data_points() throws Exception {
        var rs = json("""
                [{"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
                 {"n":"current","u":"A","v":1.2}]""");
        rec(rs.get(0), "urn:dev:ow:10e2073a01080063:voltage", "V", 120.1, NOW_MS / 1000.0);
        rec(rs.get(1), "urn:dev:ow:10e2073a01080063:current", "A", 1.2, NOW_MS / 1000.0);
    }

    static final String RFC_5_1_2_B = """
            [{"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,
              "bu":"A","bver":5,"n":"voltage","u":"V","v":120.1},
             {"n":"current","t":-5,"v":1.2},{"n":"current","t":-4,"v":1.3},
             {"n":"current","t":-3,"v":1.4},{"n":"current","t":-2,"v":1.5},
             {"n":"current","t":-1,"v":1.6},{"n":"current","v":1.7}]""";

    @Test
    void rfc_5_1_2_base_time_base_unit_and_relative_times() throws Exception {
        var rs = json(RFC_5_1_2_B);
        assertEquals(7, rs.size());
        // chronological: the five older currents first, then voltage and the last current at bt
        double bt = 1276020076.001;
        for (int i = 0; i < 5; i++) rec(rs.get(i), "urn:dev:ow:10e2073a0108006:current", "A", 1.2 + i / 10.0 + 0 * i, bt - 5 + i);
        rec(rs.get(5), "urn:dev:ow:10e2073a0108006:voltage", "V", 120.1, bt);
        rec(rs.get(6), "urn:dev:ow:10e2073a0108006:current", "A", 1.7, bt);
    }

    @Test
    void rfc_6_cbor_dump_decodes_like_its_json() throws Exception {
        byte[] cbor = HexFormat.of().parseHex((""
                + "87a721781b75726e3a6465763a6f773a3130653230373361303130383030363a"
                + "22fb41d303a15b00106223614120050067766f6c7461676501615602fb405e06"
                + "6666666666a3006763757272656e740624 02fb3ff3333333333333a3006763"
                + "757272656e74062302fb3ff4cccccccccccda3006763757272656e74062202fb"
                + "3ff6666666666666a3006763757272656e74062102f93e00a3006763757272656e"
                + "74062002fb3ff999999999999aa3006763757272656e74060002fb3ffb333333333333").replace(" ", ""));
        var fromCbor = codec.decode(cbor, SenmlFormat.CBOR);
        var fromJson = json(RFC_5_1_2_B);
        assertEquals(fromJson, fromCbor);
    }

    @Test
    void rfc_5_1_2_sensml_stream_with_base_unit() throws Exception {
        var rs = json("""
                [{"bn":"urn:dev:ow:10e2073a01080063","bt":1.320067464e+09,"bu":"%RH","v":21.2},
                 {"t":10,"v":21.3},{"t":20,"v":21.4},{"t":30,"v":21.4},{"t":40,"v":21.5},
                 {"t":50,"v":21.5},{"t":60,"v":21.5},{"t":70,"v":21.6},{"t":80,"v":21.7}]""");
        double[] v = {21.2, 21.3, 21.4, 21.4, 21.5, 21.5, 21.5, 21.6, 21.7};
        for (int i = 0; i < 9; i++) rec(rs.get(i), "urn:dev:ow:10e2073a01080063", "%RH", v[i], 1320067464 + 10 * i);
    }

    static final String RFC_5_1_3 = """
            [{"bn":"urn:dev:ow:10e2073a01080063","bt":1.320067464e+09,"bu":"%RH","v":20},
             {"u":"lon","v":24.30621},{"u":"lat","v":60.07965},
             {"t":60,"v":20.3},{"u":"lon","t":60,"v":24.30622},{"u":"lat","t":60,"v":60.07965},
             {"t":120,"v":20.7},{"u":"lon","t":120,"v":24.30623},{"u":"lat","t":120,"v":60.07966},
             {"u":"%EL","t":150,"v":98},
             {"t":180,"v":21.2},{"u":"lon","t":180,"v":24.30628},{"u":"lat","t":180,"v":60.07967}]""";

    @Test
    void rfc_5_1_3_resolves_to_5_1_4() throws Exception {
        var resolved = json("""
                [{"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067464e+09,"v":20},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067464e+09,"v":24.30621},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067464e+09,"v":60.07965},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067524e+09,"v":20.3},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067524e+09,"v":24.30622},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067524e+09,"v":60.07965},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067584e+09,"v":20.7},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067584e+09,"v":24.30623},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067584e+09,"v":60.07966},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"%EL","t":1.320067614e+09,"v":98},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067644e+09,"v":21.2},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067644e+09,"v":24.30628},
                 {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067644e+09,"v":60.07967}]""");
        var rs = json(RFC_5_1_3);
        assertEquals(resolved, rs);
        assertEquals(13, rs.size());
        rec(rs.get(9), "urn:dev:ow:10e2073a01080063", "%EL", 98, 1320067614);
        rec(rs.get(11), "urn:dev:ow:10e2073a01080063", "lon", 24.30628, 1320067644);
    }

    @Test
    void rfc_5_1_5_multiple_data_types() throws Exception {
        var rs = json("""
                [{"bn":"urn:dev:ow:10e2073a01080063:","n":"temp","u":"Cel","v":23.1},
                 {"n":"label","vs":"Machine Room"},{"n":"open","vb":false},{"n":"nfv-reader","vd":"aGkgCg"}]""");
        rec(rs.get(0), "urn:dev:ow:10e2073a01080063:temp", "Cel", 23.1, NOW_MS / 1000.0);
        assertEquals(new Value.Text("Machine Room"), rs.get(1).value());
        assertEquals(new Value.Bool(false), rs.get(2).value());
        assertEquals("urn:dev:ow:10e2073a01080063:nfv-reader", rs.get(3).name());
        assertArrayEquals("hi \n".getBytes(StandardCharsets.US_ASCII), ((Value.Data) rs.get(3).value()).value());
    }

    @Test
    void rfc_5_1_6_collection_keeps_base_time_across_base_names() throws Exception {
        var rs = json("""
                [{"bn":"2001:db8::2/","bt":1.320078429e+09,"n":"temperature","u":"Cel","v":25.2},
                 {"n":"humidity","u":"%RH","v":30},
                 {"bn":"2001:db8::1/","n":"temperature","u":"Cel","v":12.3},
                 {"n":"humidity","u":"%RH","v":67}]""");
        rec(rs.get(0), "2001:db8::2/temperature", "Cel", 25.2, 1320078429);
        rec(rs.get(1), "2001:db8::2/humidity", "%RH", 30, 1320078429);
        rec(rs.get(2), "2001:db8::1/temperature", "Cel", 12.3, 1320078429);
        rec(rs.get(3), "2001:db8::1/humidity", "%RH", 67, 1320078429);
    }

    @Test
    void rfc_5_1_7_actuation_examples() throws Exception {
        var thermostat = json("""
                [{"bn":"urn:dev:ow:10e2073a01080063:"},
                 {"n":"temp","u":"Cel","v":23.1},{"n":"heat","u":"/","v":1},{"n":"fan","u":"/","v":0}]""");
        assertEquals(3, thermostat.size(), "the base-only record measures nothing");
        rec(thermostat.get(1), "urn:dev:ow:10e2073a01080063:heat", "/", 1, NOW_MS / 1000.0);
        rec(thermostat.get(2), "urn:dev:ow:10e2073a01080063:fan", "/", 0, NOW_MS / 1000.0);
        var lights = json("""
                [{"bt":1.320078429e+09,"bu":"/","n":"2001:db8::3","v":0.5},{"n":"2001:db8::4","v":0.5},
                 {"n":"2001:db8::3","t":0.1,"v":0},{"n":"2001:db8::4","t":0.1,"v":0}]""");
        rec(lights.get(0), "2001:db8::3", "/", 0.5, 1320078429);
        rec(lights.get(3), "2001:db8::4", "/", 0, 1320078429.1);
    }

    // ---------------------------------------------------------------- Lichen packs

    static final long T0 = 1_764_170_314_000L;

    static Batch climate() {
        List<Reading> rs = new ArrayList<>();
        String[] ch = {"temperature", "humidity", "pressure"};
        String[] unit = {"Cel", "%RH", "Pa"};
        // what the BME280 integer compensation yields: 0.01 degC, 1/1024 %RH, 1/256 Pa
        double[] v = {21.53, 46387 / 1024.0, 25939264 / 256.0};
        for (int i = 0; i < 10; i++)
            rs.add(new Reading(ch[i % 3], unit[i % 3], new Value.Number(v[i % 3] + (i / 3) * 0.25), T0 + (i / 3) * 10_000));
        return new Batch("kitchen-climate", "17", 40_213, rs);
    }

    static Batch temperatures() {
        List<Reading> rs = new ArrayList<>();
        for (int i = 0; i < 10; i++) rs.add(new Reading("temperature", "Cel", new Value.Number(21.53 + i * 0.01), T0 + i * 10_000));
        return new Batch("kitchen-climate", "17", 40_213, rs);
    }

    @Test
    void lichen_pack_round_trips_and_a_generic_decoder_sees_plain_senml() throws Exception {
        for (SenmlFormat f : SenmlFormat.values()) {
            Batch b = climate();
            byte[] pack = codec.encode(b, f);
            assertBatchEquals(b, codec.decodeBatch(pack, f));
            var generic = codec.decode(pack, f);
            assertEquals("urn:dev:lichen:kitchen-climate:temperature", generic.getFirst().name());
            assertEquals("Cel", generic.getFirst().unit());
            assertEquals(T0 / 1000.0, generic.getFirst().time());
        }
        String text = new String(codec.encode(climate(), SenmlFormat.JSON), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("[{\"bn\":\"urn:dev:lichen:kitchen-climate:\",\"bt\":1764170314,"), text);
        assertTrue(text.contains("\"blb\":\"17\",\"bls\":40213"), text);
    }

    @Test
    void ten_reading_cbor_packs_are_small() {
        int one = codec.encode(temperatures(), SenmlFormat.CBOR).length;
        int mixed = codec.encode(climate(), SenmlFormat.CBOR).length;
        System.out.printf("CBOR 10 readings: one channel %d bytes, three channels %d bytes (JSON %d / %d)%n", one, mixed,
                codec.encode(temperatures(), SenmlFormat.JSON).length, codec.encode(climate(), SenmlFormat.JSON).length);
        assertTrue(one <= 200, "one-channel pack of 10 readings takes " + one + " bytes");
    }

    @Test
    void random_packs_round_trip_json_and_cbor_unchanged() throws Exception {
        Random rnd = new Random(8428);
        for (int n = 0; n < 400; n++) {
            Batch b = randomBatch(rnd);
            byte[] j = codec.encode(b, SenmlFormat.JSON);
            byte[] c = codec.encode(b, SenmlFormat.CBOR);
            Batch fromJson = codec.decodeBatch(j, SenmlFormat.JSON);
            Batch fromCbor = codec.decodeBatch(c, SenmlFormat.CBOR);
            assertBatchEquals(b, fromJson);
            assertBatchEquals(b, fromCbor);
            // transcoding either way gives the very same bytes
            assertArrayEquals(c, codec.encode(fromJson, SenmlFormat.CBOR), "case " + n);
            assertArrayEquals(j, codec.encode(fromCbor, SenmlFormat.JSON), "case " + n);
            assertEquals(codec.decode(j, SenmlFormat.JSON).size(), codec.decode(c, SenmlFormat.CBOR).size());
        }
    }

    static final String[] CHANNELS = {"temperature", "humidity", "pressure", "soil_moisture", "voc", "motion", "lux", "door.open"};

    static Batch randomBatch(Random rnd) {
        List<String> units = new ArrayList<>(SenmlUnits.RFC8428);
        units.sort(null);
        int count = 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 40);
        long t0 = 946_684_800_000L + (long) (rnd.nextDouble() * 3_000_000_000_000L);
        List<Reading> rs = new ArrayList<>();
        boolean oneChannel = rnd.nextInt(4) == 0;
        for (int i = 0; i < count; i++) {
            String ch = oneChannel ? "temperature" : rnd.nextInt(5) == 0 ? randomChannel(rnd) : CHANNELS[rnd.nextInt(CHANNELS.length)];
            String unit = rnd.nextInt(8) == 0 ? null : units.get(rnd.nextInt(units.size()));
            long t = t0 + switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> i * 10_000L;
                case 2 -> rnd.nextInt(86_400_000) - 3_600_000;
                default -> i * 1000L + rnd.nextInt(1000);
            };
            rs.add(new Reading(ch, unit, randomValue(rnd), t));
        }
        String device = "d" + Long.toString(rnd.nextLong() & Long.MAX_VALUE, 36).substring(0, 1 + rnd.nextInt(8));
        return new Batch(device, Integer.toString(rnd.nextInt(100_000)), rnd.nextLong(1L << 50), rs);
    }

    static String randomChannel(Random rnd) {
        String first = "abcXYZ019", rest = "abcdefghijklmnopqrstuvwxyzABC0123456789-._/";
        StringBuilder sb = new StringBuilder().append(first.charAt(rnd.nextInt(first.length())));
        for (int i = rnd.nextInt(20); i > 0; i--) sb.append(rest.charAt(rnd.nextInt(rest.length())));
        return sb.toString();
    }

    static Value randomValue(Random rnd) {
        return switch (rnd.nextInt(12)) {
            case 0 -> new Value.Bool(rnd.nextBoolean());
            case 1 -> new Value.Text(rnd.ints(rnd.nextInt(12), 0x20, 0x1F600).filter(Character::isValidCodePoint)
                    .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
            case 2 -> { byte[] b = new byte[rnd.nextInt(20)]; rnd.nextBytes(b); yield new Value.Data(b); }
            case 3 -> new Value.Number(rnd.nextInt(2001) - 1000);                       // integers
            case 4 -> new Value.Number((rnd.nextInt(4001) - 2000) / 4.0);               // halves
            case 5 -> new Value.Number(rnd.nextInt(1 << 20) / 1024.0);                   // singles
            case 6 -> new Value.Number(Math.round(rnd.nextGaussian() * 10000) / 100.0);  // 2-decimal doubles
            case 7 -> new Value.Number(-0.0);
            case 8 -> new Value.Number(rnd.nextBoolean() ? Double.MIN_VALUE : Double.MAX_VALUE * (rnd.nextBoolean() ? 1 : -1));
            case 9 -> new Value.Number(rnd.nextLong() * 1.0);
            default -> {
                double d;
                do d = Double.longBitsToDouble(rnd.nextLong()); while (!Double.isFinite(d));
                yield new Value.Number(d);
            }
        };
    }

    static void assertBatchEquals(Batch want, Batch got) {
        assertEquals(want.deviceId(), got.deviceId());
        assertEquals(want.bootId(), got.bootId());
        assertEquals(want.firstSeq(), got.firstSeq());
        assertEquals(want.readings().size(), got.readings().size());
        for (int i = 0; i < want.readings().size(); i++) {
            Reading w = want.readings().get(i), g = got.readings().get(i);
            assertEquals(w.channel(), g.channel());
            assertEquals(w.unit(), g.unit());
            assertEquals(w.timeMillis(), g.timeMillis(), "time of reading " + i);
            if (w.value() instanceof Value.Data(byte[] wd)) assertArrayEquals(wd, assertInstanceOf(Value.Data.class, g.value()).value());
            else if (w.value() instanceof Value.Number(double wv))
                assertEquals(Double.doubleToRawLongBits(wv), Double.doubleToRawLongBits(((Value.Number) g.value()).value()), "value " + wv);
            else assertEquals(w.value(), g.value());
        }
    }

    // ---------------------------------------------------------------- bad input

    static Stream<Arguments> badJsonPacks() {
        return Stream.of(
                Arguments.of(Reason.MALFORMED, "[{\"n\":\"a\",\"v\":1"),
                Arguments.of(Reason.MALFORMED, "{\"n\":\"a\",\"v\":1}"),
                Arguments.of(Reason.MALFORMED, "[{\"n\":\"a\",\"v\":\"1\"}]"),
                Arguments.of(Reason.MALFORMED, "[{\"n\":\"a\",\"v\":1,\"v\":2}]"),
                Arguments.of(Reason.MALFORMED, "[{\"bn\":\"a\",\"n\":\"b\",\"v\":1,\"bn\":\"c\"}]"),
                Arguments.of(Reason.MALFORMED, "[{\"n\":\"a\",\"v\":1,\"blb\":\"x\",\"blb\":\"y\"}]"),
                Arguments.of(Reason.MALFORMED, "[{\"n\":\"a\",\"v\":1}] x"),
                Arguments.of(Reason.MALFORMED, "[1]"),
                Arguments.of(Reason.BAD_NAME, "[{\"n\":\"-starts-with-dash\",\"v\":1}]"),
                Arguments.of(Reason.BAD_NAME, "[{\"v\":1}]"),
                Arguments.of(Reason.BAD_NAME, "[{\"bn\":\"a\",\"n\":\"b?c\",\"v\":1}]"),
                Arguments.of(Reason.NOT_FINITE, "[{\"n\":\"a\",\"v\":NaN}]"),
                Arguments.of(Reason.NOT_FINITE, "[{\"n\":\"a\",\"v\":1e400}]"),
                Arguments.of(Reason.NOT_FINITE, "[{\"n\":\"a\",\"v\":-Infinity}]"),
                Arguments.of(Reason.NOT_FINITE, "[{\"bv\":1e308,\"n\":\"a\",\"v\":1e308}]"),
                Arguments.of(Reason.VALUE_COUNT, "[{\"n\":\"a\",\"v\":1,\"vs\":\"x\"}]"),
                Arguments.of(Reason.VALUE_COUNT, "[{\"n\":\"a\",\"u\":\"Cel\"}]"),
                Arguments.of(Reason.UNKNOWN_UNIT, "[{\"n\":\"a\",\"u\":\"degC\",\"v\":1}]"),
                Arguments.of(Reason.UNKNOWN_UNIT, "[{\"bu\":\"mph\",\"n\":\"a\",\"v\":1}]"),
                Arguments.of(Reason.UNSUPPORTED_VERSION, "[{\"bver\":11,\"n\":\"a\",\"v\":1}]"),
                Arguments.of(Reason.MUST_UNDERSTAND, "[{\"n\":\"a\",\"v\":1,\"xyz_\":1}]"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badJsonPacks")
    void bad_json_packs_fail_with_their_reason(Reason reason, String pack) {
        var e = assertThrows(SenmlException.class, () -> codec.decode(pack.getBytes(StandardCharsets.UTF_8), SenmlFormat.JSON));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().length() > reason.name().length() + 20, "a message that explains: " + e.getMessage());
    }

    @Test
    void malformed_json_and_cbor() throws Exception {
        byte[] good = codec.encode(climate(), SenmlFormat.CBOR);
        for (int cut = 0; cut < good.length; cut += 7) {
            byte[] torn = java.util.Arrays.copyOf(good, cut);
            var e = assertThrows(SenmlException.class, () -> codec.decodeBatch(torn, SenmlFormat.CBOR));
            assertEquals(Reason.MALFORMED, e.reason(), e.getMessage());
        }
        var e = assertThrows(SenmlException.class, () -> codec.decode(new byte[] {(byte) 0x81, (byte) 0xff}, SenmlFormat.CBOR));
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("CBOR"), e.getMessage());
        // thousands of extension fields, one of them twice far down the record
        StringBuilder many = new StringBuilder("[{\"n\":\"a\",\"v\":1");
        for (int i = 0; i < 5000; i++) many.append(",\"x").append(i).append("\":1");
        String distinct = many + "}]";
        assertEquals(1, codec.decode(distinct.getBytes(StandardCharsets.UTF_8), SenmlFormat.JSON).size());
        String repeated = many + ",\"x4321\":2}]";
        var far = assertThrows(SenmlException.class, () -> codec.decode(repeated.getBytes(StandardCharsets.UTF_8), SenmlFormat.JSON));
        assertTrue(far.getMessage().contains("\"x4321\" appears twice"), far.getMessage());
        // [{0: "a", 2: 1, 2: 2}]: the value label (2) twice in one record
        byte[] twice = {(byte) 0x81, (byte) 0xa3, 0x00, 0x61, 'a', 0x02, 0x01, 0x02, 0x02};
        var dup = assertThrows(SenmlException.class, () -> codec.decode(twice, SenmlFormat.CBOR));
        assertEquals(Reason.MALFORMED, dup.reason(), dup.getMessage());
        assertTrue(dup.getMessage().contains("\"v\" appears twice"), dup.getMessage());
    }

    @Test
    void forbidden_name_characters() {
        var e = assertThrows(SenmlException.class,
                () -> codec.decode("[{\"n\":\"kitchen temp\",\"v\":1}]".getBytes(StandardCharsets.UTF_8), SenmlFormat.JSON));
        assertEquals(Reason.BAD_NAME, e.reason());
        assertTrue(e.getMessage().contains("\"kitchen temp\""), e.getMessage());
        var enc = assertThrows(IllegalArgumentException.class, () -> codec.encode(new Batch("dev", "1", 0,
                List.of(new Reading("temp erature", "Cel", new Value.Number(1), T0))), SenmlFormat.CBOR));
        assertEquals(Reason.BAD_NAME, ((SenmlException) enc.getCause()).reason());
    }

    @Test
    void nan_and_infinity_are_not_finite() {
        // CBOR half-precision NaN and +Inf
        for (String hex : new String[] {"81a200616102f97e00", "81a200616102f97c00"}) {
            var e = assertThrows(SenmlException.class, () -> codec.decode(HexFormat.of().parseHex(hex), SenmlFormat.CBOR));
            assertEquals(Reason.NOT_FINITE, e.reason(), e.getMessage());
        }
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            var e = assertThrows(SenmlException.class, () -> SenmlCodec.check(new Reading("t", "Cel", new Value.Number(bad), T0)));
            assertEquals(Reason.NOT_FINITE, e.reason());
        }
    }

    @Test
    void value_count_unit_version_and_must_understand() {
        try {
            var ok = json("[{\"n\":\"a\",\"s\":5}, {\"n\":\"b\",\"v\":1,\"unknown\":[1,{}]}]");
            assertEquals(5.0, ok.get(0).sum());
            assertNull(ok.get(0).value());
        } catch (SenmlException e) {
            throw new AssertionError(e);
        }
        var e = assertThrows(SenmlException.class, () -> SenmlCodec.check(new Reading("t", "degC", new Value.Number(1), T0)));
        assertEquals(Reason.UNKNOWN_UNIT, e.reason());
        assertTrue(e.getMessage().contains("degC"));
    }

    @Test
    void oversized_packs() {
        var small = new SenmlCodec(new SenmlLimits(100, 5), FIXED);
        byte[] big = codec.encode(climate(), SenmlFormat.CBOR);
        var e = assertThrows(SenmlException.class, () -> small.decodeBatch(big, SenmlFormat.CBOR));
        assertEquals(Reason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("100"), e.getMessage());
        var fewRecords = new SenmlCodec(new SenmlLimits(64 * 1024, 5), FIXED);
        e = assertThrows(SenmlException.class, () -> fewRecords.decodeBatch(big, SenmlFormat.CBOR));
        assertEquals(Reason.TOO_LARGE, e.reason());
        var enc = assertThrows(IllegalArgumentException.class, () -> fewRecords.encode(climate(), SenmlFormat.JSON));
        assertEquals(Reason.TOO_LARGE, ((SenmlException) enc.getCause()).reason());
    }

    @Test
    void lichen_pack_times_must_be_dates() {
        String far = "[{\"bn\":\"urn:dev:lichen:kc:\",\"bt\":1e15,\"blb\":\"7\",\"bls\":3,\"n\":\"t\",\"u\":\"Cel\",\"v\":1}]";
        var e = assertThrows(SenmlException.class, () -> codec.decodeBatch(far.getBytes(StandardCharsets.UTF_8), SenmlFormat.JSON));
        assertEquals(Reason.BAD_TIME, e.reason(), e.getMessage());
        var old = assertThrows(SenmlException.class, () -> SenmlCodec.check(new Reading("t", "Cel", new Value.Number(1), 5_000)));
        assertEquals(Reason.BAD_TIME, old.reason());
        assertTrue(old.getMessage().contains("clock"), old.getMessage());
    }

    @Test
    void lichen_packs_need_device_boot_and_sequence() throws Exception {
        String ok = "[{\"bn\":\"urn:dev:lichen:kc:\",\"bt\":1764170314,\"blb\":\"7\",\"bls\":3,\"n\":\"t\",\"u\":\"Cel\",\"v\":1}]";
        Batch b = codec.decodeBatch(ok.getBytes(StandardCharsets.UTF_8), SenmlFormat.JSON);
        assertEquals("kc", b.deviceId());
        assertEquals(3, b.firstSeq());
        for (String bad : new String[] {
                "[{\"bn\":\"urn:dev:lichen:kc:\",\"bt\":1764170314,\"bls\":3,\"n\":\"t\",\"v\":1}]",
                "[{\"bn\":\"urn:dev:lichen:kc:\",\"bt\":1764170314,\"blb\":\"7\",\"n\":\"t\",\"v\":1}]",
                "[{\"bn\":\"urn:dev:lichen:kc:\",\"bt\":1764170314,\"blb\":\"7\",\"bls\":-1,\"n\":\"t\",\"v\":1}]",
                "[{\"bn\":\"urn:dev:ow:10e2:\",\"bt\":1764170314,\"blb\":\"7\",\"bls\":3,\"n\":\"t\",\"v\":1}]",
                "[{\"bt\":1764170314,\"blb\":\"7\",\"bls\":3,\"n\":\"t\",\"v\":1}]",
                "[]"}) {
            var e = assertThrows(SenmlException.class, () -> codec.decodeBatch(bad.getBytes(StandardCharsets.UTF_8), SenmlFormat.JSON), bad);
            assertEquals(Reason.MISSING_IDENTITY, e.reason(), bad);
        }
    }
}
