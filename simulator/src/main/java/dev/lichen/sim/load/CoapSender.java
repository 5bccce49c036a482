package dev.lichen.sim.load;

import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.senml.Batch;
import dev.lichen.senml.SenmlFormat;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;

/**
 * The devices' own CoAP uplink (confirmable POST /r), over a few Californium endpoints that the
 * simulated devices share: one endpoint per hundred devices, since one endpoint's message ids
 * towards one gateway recycle only after the exchange lifetime.
 */
final class CoapSender implements LoadGenerator.Sender {
    private final List<CoapEndpoint> endpoints = new ArrayList<>();
    private final Map<String, CoapUplink> uplinks = new ConcurrentHashMap<>();
    private final String host;
    private final int port;
    private final CoapUplink.Options options;

    CoapSender(URI gateway, List<String> ids, SenmlFormat format) throws Exception {
        var d = CoapUplink.Options.defaults();
        this.options = new CoapUplink.Options(format, d.ackTimeout(), d.maxRetransmit(), d.blockSize());
        this.host = gateway.getHost();
        this.port = gateway.getPort() < 0 ? 5683 : gateway.getPort();
        Configuration c = CoapUplink.configuration(options);
        c.set(CoapConfig.EXCHANGE_LIFETIME, 20, TimeUnit.SECONDS);
        int n = Math.max(1, (ids.size() + 99) / 100);
        for (int i = 0; i < n; i++) {
            CoapEndpoint e = CoapEndpoint.builder().setConfiguration(c).setInetSocketAddress(new InetSocketAddress(0)).build();
            e.start();
            endpoints.add(e);
        }
        for (int i = 0; i < ids.size(); i++) {
            uplinks.put(ids.get(i), new CoapUplink(endpoints.get(i % n), host, port, options));
        }
    }

    @Override
    public void send(Batch batch) throws Exception {
        uplinks.get(batch.deviceId()).deliver(batch);
    }

    @Override
    public void close() {
        endpoints.forEach(CoapEndpoint::destroy);
    }
}
