package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lichen.runtime.identity.DeviceIdentity;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.runtime.uplink.UplinkException;
import dev.lichen.senml.Batch;
import dev.lichen.sim.faults.NetworkFaults;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator's fault wrapper stands between a virtual device and its real uplink: a cut refuses
 * deliveries, and everything else a device does with its link (commands, a key rotation) reaches
 * the real one, as the device's own code calls it.
 */
class NetworkFaultsTest {
    /** What the device's code asked of the link beneath the wrapper. */
    static final class Link implements Uplink {
        final List<String> calls = new ArrayList<>();

        @Override public void deliver(Batch batch) { calls.add("deliver " + batch.firstSeq()); }

        @Override public void onCommands(String deviceId, java.util.function.Consumer<byte[]> listener) { calls.add("commands " + deviceId); }

        @Override public void rekey(java.security.KeyPair keys) { calls.add("rekey " + DeviceIdentity.fingerprint(keys.getPublic())); }

        @Override public String describe() { return "link"; }

        @Override public void close() { calls.add("close"); }
    }

    @Test
    void aCutRefusesDeliveriesAndEverythingElseReachesTheRealLink() throws Exception {
        var faults = new NetworkFaults();
        var real = new Link();
        Uplink wrapped = faults.wrap("porch", real);
        wrapped.deliver(new Batch("porch", "b", 1, List.of()));
        wrapped.onCommands("porch", p -> {});
        var keys = DeviceIdentity.generate();
        wrapped.rekey(keys.keys());
        faults.cut(List.of("porch"));
        assertThrows(UplinkException.class, () -> wrapped.deliver(new Batch("porch", "b", 2, List.of())));
        wrapped.close();
        assertEquals(List.of("deliver 1", "commands porch", "rekey " + keys.fingerprint(), "close"), real.calls);
        assertEquals(1, faults.refused());
    }
}
