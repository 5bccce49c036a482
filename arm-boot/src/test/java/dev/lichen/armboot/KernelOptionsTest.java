package dev.lichen.armboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.appliance.DeviceConfig;
import dev.lichen.senml.SenmlFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The kernel options an image boots with (booted for real in ImageEndToEndTest). */
class KernelOptionsTest {
    private static DeviceConfig.Gateway gateway(String host) {
        return new DeviceConfig.Gateway(DeviceConfig.UplinkKind.COAP, host, 5683, Optional.empty(), Optional.empty(), Optional.empty(),
                false, SenmlFormat.CBOR, Optional.empty());
    }

    @Test
    void theModuleRequestingInitCallsAreSkippedAndIpv6IsOffUnlessTheGatewayIsAnIpv6Address() {
        for (String host : List.of("10.0.2.2", "gateway.local", "gw")) {
            List<String> o = ImageBuilder.kernelOptions(gateway(host));
            assertTrue(o.contains("initcall_blacklist=crypto_kdf108_init,init_encrypted"), host + ": " + o);
            assertTrue(o.contains("ipv6.disable=1"), host + ": " + o);
        }
        List<String> v6 = ImageBuilder.kernelOptions(gateway("fd00::1"));
        assertFalse(v6.contains("ipv6.disable=1"), "an IPv6 gateway needs IPv6: " + v6);
        assertEquals(List.of("initcall_blacklist=crypto_kdf108_init,init_encrypted"), v6);
    }
}
