package dev.lichen.senml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written name and id checks (run for every pack) accept exactly what the published patterns do. */
class IdentityCheckTest {
    private static final String ALPHABET = "az09AZ_-.:/ é\u0000";

    @Test
    void deviceAndBootIdLoopsAgreeWithTheirPatterns() {
        List<String> cases = new ArrayList<>(List.of("", "a", "0", "-a", "_a", "a-", "a_b", "A", "kitchen-climate", "dev-00001",
                "a".repeat(63), "a".repeat(64), "b".repeat(65), "boot.1", ".x", "x.", "x:y", "é"));
        Random rnd = new Random(8428);
        for (int i = 0; i < 20_000; i++) {
            int len = rnd.nextInt(70);
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < len; k++) b.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
            cases.add(b.toString());
        }
        for (String s : cases) {
            assertEquals(SenmlCodec.DEVICE_ID.matcher(s).matches(), SenmlCodec.isDeviceId(s), "device id " + s);
            assertEquals(SenmlCodec.BOOT_ID.matcher(s).matches(), SenmlCodec.isBootId(s), "boot id " + s);
        }
        assertEquals(false, SenmlCodec.isDeviceId(null));
        assertEquals(false, SenmlCodec.isBootId(null));
    }

    @Test
    void recordNamesAreCheckedAsRfc8428SaysWhetherTheBaseNameCarriesPartOfThem() throws Exception {
        var rfcName = java.util.regex.Pattern.compile("[A-Za-z0-9][-:./_A-Za-z0-9]*");
        var codec = new SenmlCodec();
        Random rnd = new Random(4_5_1);
        String alphabet = "aZ09-:./_ é";
        for (int i = 0; i < 5_000; i++) {
            String bn = random(rnd, alphabet, rnd.nextInt(4)), n = random(rnd, alphabet, rnd.nextInt(4));
            assertEquals(rfcName.matcher(bn + n).matches(), SenmlCodec.isSenmlName(bn + n), bn + n);
            // two records under one base name: the second reuses the checked base name
            String pack = "[{\"bn\":" + json(bn) + ",\"n\":" + json(n) + ",\"v\":1},{\"n\":" + json(n) + ",\"v\":2}]";
            boolean accepted;
            try {
                codec.decode(pack.getBytes(java.nio.charset.StandardCharsets.UTF_8), SenmlFormat.JSON);
                accepted = true;
            } catch (SenmlException e) {
                accepted = false;
            }
            assertEquals(rfcName.matcher(bn + n).matches(), accepted, "bn '" + bn + "' n '" + n + "'");
        }
    }

    private static String random(Random rnd, String alphabet, int len) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < len; k++) b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        return b.toString();
    }

    private static String json(String s) {
        return "\"" + s + "\"";
    }
}
