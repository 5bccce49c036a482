package dev.lichen.appliance;

import dev.lichen.runtime.uplink.CoapTestGateway;

/** For benchmarks/sensor-rss.sh: a CoAP /r that decodes and acknowledges packs on a given port. */
public final class CoapSinkMain {
    public static void main(String[] args) throws Exception {
        try (var gw = new CoapTestGateway().onPort(Integer.parseInt(args[0])).start()) {
            System.out.println("coap sink on " + gw.port());
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
