package dev.lichen.store.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.store.addons.FirstParty;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageVerifierTest {
    static final KeyPair KEY = Keys.generate();
    static final Set<String> TRUST = Set.of(Keys.fingerprint(KEY.getPublic()));

    static byte[] signed() throws Exception {
        return LappCodec.write(Signing.sign(FirstParty.pack("plantcare"), KEY.getPrivate(), KEY.getPublic()));
    }

    static PackageException refused(byte[] zip) {
        return assertThrows(PackageException.class, () -> PackageVerifier.verify(zip, Limits.DEFAULT, TRUST, "0.1.0", null));
    }

    @Test
    void signedPackageVerifiesAndUnpacks(@TempDir Path dir) throws Exception {
        var v = PackageVerifier.verify(signed(), Limits.DEFAULT, TRUST, "0.1.0", null);
        assertEquals("plantcare", v.manifest().id());
        assertEquals(Keys.fingerprint(KEY.getPublic()), v.signerFingerprint());
        PackageVerifier.unpack(v.lapp(), dir.resolve("x"));
        assertTrue(Files.isRegularFile(dir.resolve("x/lib/plantcare.jar")));
        assertEquals(v.manifest().permissions().inPlainWords().getFirst(), "May read: soil moisture in every room");
    }

    @Test
    void oneChangedByteIsRefused() throws Exception {
        // change a byte inside the stored manifest text, keeping the zip readable
        var lapp = LappCodec.read(signed(), Limits.DEFAULT);
        byte[] m = lapp.entries().get(Lapp.MANIFEST).clone();
        m[m.length / 2] ^= 0x01;
        var e = refused(LappCodec.write(lapp.with(Lapp.MANIFEST, m)));
        assertEquals(PackageException.Reason.DIGEST, e.reason());
        assertTrue(e.getMessage().contains("does not match its signed digest"), e.getMessage());
        // and a flipped byte in the raw file: either the zip CRC or the digest catches it
        byte[] raw = signed();
        raw[raw.length / 3] ^= 0x40;
        refused(raw);
    }

    @Test
    void untrustedSignerIsRefused() throws Exception {
        var other = Keys.generate();
        var zip = LappCodec.write(Signing.sign(FirstParty.pack("plantcare"), other.getPrivate(), other.getPublic()));
        var e = refused(zip);
        assertEquals(PackageException.Reason.UNTRUSTED, e.reason());
        assertTrue(e.getMessage().contains(Keys.fingerprint(other.getPublic())), e.getMessage());
    }

    @Test
    void ungrantedPermissionIsRefused() throws Exception {
        var granted = new Permissions(java.util.List.of("soil_moisture"), java.util.List.of(), false, true, false);
        var e = assertThrows(PackageException.class, () -> PackageVerifier.verify(signed(), Limits.DEFAULT, TRUST, "0.1.0", granted));
        assertEquals(PackageException.Reason.PERMISSION, e.reason());
        assertTrue(e.getMessage().contains("May raise alerts"), e.getMessage());
    }

    static byte[] zipWith(String name) throws Exception {
        var lapp = LappCodec.read(signed(), Limits.DEFAULT);
        var out = new ByteArrayOutputStream();
        try (var z = new ZipOutputStream(out)) {
            for (var e : lapp.entries().entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
            }
            z.putNextEntry(new ZipEntry(name));
            z.write("evil".getBytes());
        }
        return out.toByteArray();
    }

    @Test
    void escapingPathsAreRefused() throws Exception {
        for (String name : new String[] {"../evil.sh", "lib/../../evil", "/etc/cron.d/evil", "C:/evil", "a\\..\\evil"}) {
            var e = refused(zipWith(name));
            assertEquals(PackageException.Reason.UNSAFE_PATH, e.reason(), name);
            assertTrue(e.getMessage().contains("refusing the whole package"), e.getMessage());
        }
    }

    @Test
    void symlinkEntryIsRefused() throws Exception {
        var out = new ByteArrayOutputStream();
        try (var z = new ZipArchiveOutputStream(out)) {
            var e = new ZipArchiveEntry("lib/link.jar");
            e.setUnixMode(0120777);
            z.putArchiveEntry(e);
            z.write("/etc/passwd".getBytes());
            z.closeArchiveEntry();
        }
        var e = refused(out.toByteArray());
        assertEquals(PackageException.Reason.UNSAFE_PATH, e.reason());
        assertTrue(e.getMessage().contains("symbolic link"));
    }

    @Test
    void oversizeAndZipBombsAreRefused() throws Exception {
        var e = assertThrows(PackageException.class,
                () -> PackageVerifier.verify(signed(), Limits.DEFAULT.withMaxPackageBytes(10_000), TRUST, "0.1.0", null));
        assertEquals(PackageException.Reason.TOO_LARGE, e.reason());
        var e2 = assertThrows(PackageException.class,
                () -> PackageVerifier.verify(signed(), Limits.DEFAULT.withMaxTotalBytes(100_000), TRUST, "0.1.0", null));
        assertTrue(e2.getMessage().contains("size limit"), e2.getMessage());
        var out = new ByteArrayOutputStream();
        try (var z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("zeros.bin"));
            z.write(new byte[12 << 20]); // within the entry limit: the ratio is what refuses it
        }
        var bomb = refused(out.toByteArray());
        assertTrue(bomb.getMessage().contains("zip bomb"), bomb.getMessage());
    }

    @Test
    void manifestUnknownAndMissingFieldsAreNamed() throws Exception {
        var unknown = FirstParty.manifest("plantcare").put("autoUpdate", true);
        var e = assertThrows(PackageException.class, () -> FirstParty.pack("plantcare", unknown));
        assertTrue(e.getMessage().contains("unknown field 'autoUpdate'"), e.getMessage());
        var missing = FirstParty.manifest("plantcare");
        missing.remove("entryPoint");
        var e2 = assertThrows(PackageException.class, () -> FirstParty.pack("plantcare", missing));
        assertTrue(e2.getMessage().contains("missing required field 'entryPoint'"), e2.getMessage());
        var nested = FirstParty.manifest("plantcare");
        ((com.fasterxml.jackson.databind.node.ObjectNode) nested.get("permissions")).remove("raiseAlerts");
        var e3 = assertThrows(PackageException.class, () -> FirstParty.pack("plantcare", nested));
        assertTrue(e3.getMessage().contains("'raiseAlerts'"), e3.getMessage());
        var badVersion = FirstParty.manifest("plantcare").put("version", "1.0");
        assertTrue(assertThrows(PackageException.class, () -> FirstParty.pack("plantcare", badVersion)).getMessage().contains("semantic version"));
    }

    @Test
    void timersAreChecked() throws Exception {
        var m = FirstParty.manifest("share");
        assertEquals(List.of(new Manifest.Timer("daily", 60)), ManifestParser.parse(m.toString().getBytes()).timers());
        var bad = FirstParty.manifest("share");
        bad.putArray("timers").addObject().put("path", "../x").put("everyMinutes", 0);
        var e = assertThrows(PackageException.class, () -> FirstParty.pack("share", bad));
        assertTrue(e.getMessage().contains("timers: path '../x' must be a relative sub-path"), e.getMessage());
        assertTrue(e.getMessage().contains("everyMinutes 0 must be between 1 and 10080"), e.getMessage());
        var noPath = FirstParty.manifest("share");
        noPath.putArray("timers").addObject().put("everyMinutes", 60);
        assertTrue(assertThrows(PackageException.class, () -> FirstParty.pack("share", noPath)).getMessage().contains("'path'"));
    }

    @Test
    void theNetworkIsAPermissionOfItsOwn() throws Exception {
        var share = ManifestParser.parse(FirstParty.manifest("share").toString().getBytes()).permissions();
        assertTrue(share.inPlainWords().contains("May connect to other computers (your network and the internet)"), share.inPlainWords().toString());
        var withoutNetwork = new Permissions(share.readChannels(), share.rooms(), false, false, false);
        assertTrue(!share.within(withoutNetwork), "asking for the network needs it granted");
        assertEquals(List.of("May connect to other computers (your network and the internet)"), share.missingFrom(withoutNetwork));
        var plant = ManifestParser.parse(FirstParty.manifest("plantcare").toString().getBytes()).permissions();
        assertTrue(!plant.network(), "absent means no");
    }

    @Test
    void semverOrders() {
        assertTrue(Semver.parse("1.10.0").compareTo(Semver.parse("1.9.9")) > 0);
        assertTrue(Semver.parse("1.0.0-rc.1").compareTo(Semver.parse("1.0.0")) < 0);
        assertTrue(Semver.parse("1.0.0-rc.2").compareTo(Semver.parse("1.0.0-rc.10")) < 0);
    }
}
