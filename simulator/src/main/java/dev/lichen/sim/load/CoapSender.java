package dev.lichen.sim.load;

import dev.lichen.senml.SenmlFormat;
import java.net.InetSocketAddress;
import java.net.URI;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/** Confirmable POST /r over one Californium endpoint shared by every simulated device. */
final class CoapSender implements LoadGenerator.Sender {
    static {
        CoapConfig.register();
        UdpConfig.register();
    }

    private final CoapEndpoint endpoint;
    private final String uri;
    private final SenmlFormat format;

    CoapSender(URI gateway, SenmlFormat format) throws Exception {
        // no Californium3.properties written into the working directory
        Configuration config = Configuration.createStandardWithoutFile();
        this.endpoint = CoapEndpoint.builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(0)).build();
        endpoint.start();
        this.uri = "coap://" + gateway.getHost() + ":" + (gateway.getPort() < 0 ? 5683 : gateway.getPort()) + "/r";
        this.format = format;
    }

    @Override
    public void send(String deviceId, byte[] payload) throws Exception {
        Request request = Request.newPost();
        request.setURI(uri);
        request.getOptions().setContentFormat(format.contentFormat());
        request.setPayload(payload);
        request.send(endpoint);
        Response response = request.waitForResponse(60_000);
        if (response == null) {
            request.cancel();
            throw new java.util.concurrent.TimeoutException("no answer from " + uri);
        }
        if (response.getCode() != CoAP.ResponseCode.CHANGED) {
            throw new IllegalStateException(response.getCode() + " " + response.getPayloadString());
        }
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
