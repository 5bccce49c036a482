package dev.lichen.runtime.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.runtime.storage.FileKeyValueStore;
import java.nio.file.Path;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device's own key pair as its flash keeps it across boots. */
class DeviceIdentityTest {
    @TempDir
    Path dir;

    @Test
    void madeOnceKeptAcrossBootsAndUsable() throws Exception {
        var first = DeviceIdentity.loadOrCreate(new FileKeyValueStore(dir));
        assertTrue(first.fingerprint().matches("[0-9A-F]{4}(-[0-9A-F]{4}){3}"), first.fingerprint());
        assertTrue(DeviceIdentity.FINGERPRINT.matcher(first.fingerprint()).matches(), "what the gateway's adopt form accepts");
        // the next boot opens the same folder afresh
        var again = DeviceIdentity.loadOrCreate(new FileKeyValueStore(dir));
        assertEquals(first.fingerprint(), again.fingerprint());
        assertEquals(first.keys().getPublic(), again.keys().getPublic());
        // the private key read back signs what the public key verifies
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(again.keys().getPrivate());
        s.update("lichen".getBytes());
        byte[] sig = s.sign();
        s.initVerify(first.keys().getPublic());
        s.update("lichen".getBytes());
        assertTrue(s.verify(sig));
        // another device gets another identity
        assertNotEquals(first.fingerprint(), DeviceIdentity.loadOrCreate(new FileKeyValueStore(dir.resolve("other"))).fingerprint());
    }

    @Test
    void aRotationKeepsTheOldKeyUntilTheSwitchAndACutSwitchIsFinishedAtBoot() throws Exception {
        var store = new FileKeyValueStore(dir.resolve("state"));
        DeviceIdentity old = DeviceIdentity.loadOrCreate(store);
        DeviceIdentity next = DeviceIdentity.prepareNext(store);
        assertNotEquals(old.fingerprint(), next.fingerprint());
        assertEquals(old.fingerprint(), DeviceIdentity.loadOrCreate(store).fingerprint(), "until the switch a boot keeps the old key");
        assertEquals(next.fingerprint(), DeviceIdentity.switchToNext(store).orElseThrow().fingerprint());
        assertEquals(next.fingerprint(), DeviceIdentity.loadOrCreate(store).fingerprint(), "after it, the new one");
        assertTrue(DeviceIdentity.switchToNext(store).isEmpty(), "a second switch finds nothing to do");
        // a power cut after the switch's first write: the private key is the next one's, the public one still the old
        DeviceIdentity third = DeviceIdentity.prepareNext(store);
        String[] kept = store.get(DeviceIdentity.NEXT).orElseThrow().split("\n");
        store.put(DeviceIdentity.PRIVATE, kept[0]);
        assertEquals(third.fingerprint(), DeviceIdentity.loadOrCreate(store).fingerprint(), "the boot finishes the switch");
        assertTrue(store.get(DeviceIdentity.NEXT).isEmpty());
        assertEquals(third.fingerprint(), DeviceIdentity.loadOrCreate(store).fingerprint());
    }

    @Test
    void aFirstBootCutBetweenTheTwoWritesMakesAWholeNewPair() throws Exception {
        var store = new FileKeyValueStore(dir);
        store.put(DeviceIdentity.PRIVATE, "half");
        var made = DeviceIdentity.loadOrCreate(store);
        assertEquals(made.fingerprint(), DeviceIdentity.loadOrCreate(new FileKeyValueStore(dir)).fingerprint());
    }

    @Test
    void damagedKeysAreAClearErrorAndAreNotReplacedSilently() throws Exception {
        var store = new FileKeyValueStore(dir);
        DeviceIdentity.loadOrCreate(store); // the first boot
        store.put(DeviceIdentity.PUBLIC, "bm90IGEga2V5");
        var e = assertThrows(java.io.IOException.class, () -> DeviceIdentity.loadOrCreate(new FileKeyValueStore(dir)));
        assertTrue(e.getMessage().contains("identity keys") && e.getMessage().contains("adopt it again"), e.getMessage());
        assertEquals("bm90IGEga2V5", store.get(DeviceIdentity.PUBLIC).orElseThrow(), "nothing overwritten");
    }

    @Test
    void theFingerprintIsOfThePublicKeyAlone() {
        var a = DeviceIdentity.generate();
        assertEquals(DeviceIdentity.fingerprint(a.keys().getPublic()), a.fingerprint());
    }
}
