package dev.lichen.sim.faults;

import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.runtime.uplink.UplinkException;
import dev.lichen.senml.Batch;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which devices are cut off from the gateway right now (a lost network, or their side of a
 * partition). Devices see it through {@link #wrap}: their uplink fails as an unreachable network
 * does, and their appliance retries as it would on a real board.
 */
public final class NetworkFaults {
    private final Set<String> cut = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();

    public void cut(Iterable<String> devices) {
        devices.forEach(cut::add);
    }

    public void restore(Iterable<String> devices) {
        devices.forEach(cut::remove);
    }

    public boolean isCut(String device) {
        return cut.contains(device);
    }

    /** Deliveries refused because the device was cut off. */
    public long refused() {
        return refused.get();
    }

    public Uplink wrap(String deviceId, Uplink real) {
        return new Uplink() {
            @Override
            public void deliver(Batch batch) throws UplinkException {
                if (cut.contains(deviceId)) {
                    refused.incrementAndGet();
                    throw new UplinkException("network unreachable (simulated: " + deviceId + " is cut off)", true, null);
                }
                real.deliver(batch);
            }

            /** A device with outputs listens for commands over its real uplink; a cut does not stop them (yet). */
            @Override
            public void onCommands(String id, java.util.function.Consumer<byte[]> listener) {
                real.onCommands(id, listener);
            }

            /** A rotation of the device's key changes the real link's handshake. */
            @Override
            public void rekey(java.security.KeyPair keys) {
                real.rekey(keys);
            }

            @Override public String describe() { return real.describe(); }

            @Override public void close() { real.close(); }
        };
    }
}
