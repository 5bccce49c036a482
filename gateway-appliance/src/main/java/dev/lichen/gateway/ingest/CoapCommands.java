package dev.lichen.gateway.ingest;

import dev.lichen.gateway.commands.Commands;
import dev.lichen.gateway.store.Store;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;

/**
 * {@code /c/<deviceId>}: the device's pending commands, which the device observes (RFC 7641): a
 * device behind a home router is a client and cannot be called, so it keeps a registration and
 * the gateway notifies it (confirmable notifications) whenever the set changes. Each notification
 * carries a Max-Age of {@link #MAX_AGE_SECONDS}: the device registers again when it heard nothing
 * for that long, which brings it back after a restart of the gateway (that forgot every
 * registration) or a lost notification, and keeps its router's UDP mapping open.
 *
 * <p>Only the device reads its commands: over CoAPS by its pre-shared key's identity or by the
 * public key it was adopted with; over plain CoAP only a device that has no key at all (plain
 * links are an explicit choice, shown unencrypted on the dashboard). A resource exists only for a
 * device the store knows, so an id sprayed from the network makes nothing.
 */
final class CoapCommands extends CoapResource {
    /** Bounds how long an idle device takes to find a restarted gateway (Max-Age + ~6 s, see CoapUplink). */
    static final int MAX_AGE_SECONDS = 15;

    private final Store store;
    private final Commands commands;
    private final DeviceKeys keys;
    private final DeviceIdentities identities;
    private final Map<String, DeviceCommands> devices = new ConcurrentHashMap<>();

    CoapCommands(Store store, Commands commands, DeviceKeys keys, DeviceIdentities identities) {
        super("c");
        this.store = store;
        this.commands = commands;
        this.keys = keys;
        this.identities = identities;
        getAttributes().setTitle("Lichen commands: observe /c/<your device id>");
        commands.addDoor(this::changed);
    }

    private void changed(String deviceId) {
        DeviceCommands r = devices.get(deviceId);
        if (r == null) return; // nobody observes it: the device reads the set when it registers
        if (store.device(deviceId).isEmpty()) {
            devices.remove(deviceId);
            r.clearAndNotifyObserveRelations(ResponseCode.NOT_FOUND);
            return;
        }
        r.changed();
    }

    @Override
    public Resource getChild(String name) {
        if (!SenmlCodec.isDeviceId(name) || store.device(name).isEmpty()) return null; // 4.04
        return devices.computeIfAbsent(name, DeviceCommands::new);
    }

    @Override
    public void handleGET(CoapExchange ex) {
        Response r = new Response(ResponseCode.BAD_REQUEST);
        r.setPayload("observe /c/<your device id>");
        ex.respond(r);
    }

    /** Why the requester may not read the device's commands, or null when it may. */
    private String refusal(CoapExchange ex, String deviceId) {
        var peer = ex.advanced().getRequest().getSourceContext().getPeerIdentity();
        if (peer instanceof PreSharedKeyIdentity psk) {
            return psk.getIdentity().equals(deviceId) ? null : "the pre-shared key is device '" + psk.getIdentity() + "''s";
        }
        if (peer instanceof RawPublicKeyIdentity rpk) {
            if (!identities.pinned(deviceId)) return "device '" + deviceId + "' was not adopted with a public key";
            return identities.refusal(deviceId, rpk.getSubjectInfo());
        }
        if (peer != null) return "unknown credentials";
        if (keys.hasKey(deviceId) || identities.pinned(deviceId)) {
            return "device '" + deviceId + "' has its own credentials: read its commands over CoAPS";
        }
        return null;
    }

    private final class DeviceCommands extends CoapResource {
        private final String deviceId;

        DeviceCommands(String deviceId) {
            super(deviceId);
            this.deviceId = deviceId;
            setObservable(true);
            setObserveType(CoAP.Type.CON); // a lost notification is sent again, not waited out
            getAttributes().setObservable();
            setParent(CoapCommands.this);
        }

        @Override
        public void handleGET(CoapExchange ex) {
            String why = refusal(ex, deviceId);
            if (why != null) {
                Response r = new Response(ex.advanced().getRequest().getSourceContext().getPeerIdentity() == null
                        ? ResponseCode.UNAUTHORIZED : ResponseCode.FORBIDDEN);
                r.setPayload(why);
                ex.respond(r);
                return;
            }
            ex.setMaxAge(MAX_AGE_SECONDS);
            ex.respond(ResponseCode.CONTENT, commands.pending(deviceId).pack(), SenmlFormat.JSON.contentFormat());
        }
    }
}
