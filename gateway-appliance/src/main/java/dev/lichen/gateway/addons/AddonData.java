package dev.lichen.gateway.addons;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.ingest.IngestOutcome;
import dev.lichen.gateway.ingest.Protocol;
import dev.lichen.gateway.store.AlertRule;
import dev.lichen.gateway.store.Device;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.gateway.store.Op;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import dev.lichen.store.pkg.Permissions;
import dev.lichen.store.sdk.GatewayApi;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's data as add-ons may see it, always through a grant: the channels of adopted
 * devices the grant names (in the rooms it names), their readings; and what add-ons give back:
 * alerts and derived readings, stored under the add-on's own device {@code addon-<id>}.
 */
final class AddonData {
    static final String DEVICE_PREFIX = "addon-";
    private final Gateway gateway;
    private final String bootId = UUID.randomUUID().toString();
    private final AtomicLong seq = new AtomicLong();

    AddonData(Gateway gateway) {
        this.gateway = gateway;
    }

    /** The channels {@code grant} lets an add-on read, with their rooms. */
    List<GatewayApi.Channel> channels(Permissions grant) {
        var out = new ArrayList<GatewayApi.Channel>();
        for (Device d : gateway.store().devices()) {
            if (d.state() != DeviceState.ADOPTED || d.id().startsWith(DEVICE_PREFIX) || !roomAllowed(grant, d.room())) continue;
            for (var c : gateway.store().channels(d.id())) {
                if (grant.readChannels().contains(c.name())) out.add(new GatewayApi.Channel(d.id(), c.name(), d.room(), c.unit()));
            }
        }
        return out;
    }

    static boolean roomAllowed(Permissions grant, String room) {
        return grant.rooms().isEmpty() || grant.rooms().contains(room);
    }

    boolean may(Permissions grant, String device, String channel) {
        if (!grant.readChannels().contains(channel) || device.startsWith(DEVICE_PREFIX)) return false;
        return gateway.store().device(device).filter(d -> d.state() == DeviceState.ADOPTED && roomAllowed(grant, d.room())).isPresent();
    }

    String room(String device) {
        return gateway.store().device(device).map(Device::room).orElse(null);
    }

    List<GatewayApi.Sample> readings(String device, String channel, long since, long until) {
        var out = new ArrayList<GatewayApi.Sample>();
        for (var r : gateway.store().readings(device, channel, since, until, 20_000)) {
            if (r.value() != null) out.add(new GatewayApi.Sample(r.timeMillis(), r.value()));
        }
        return out;
    }

    /** Registers and adopts the add-on's own device, under which its alerts and readings are stored. */
    void ensureDevice(String addonId, String name) {
        String dev = DEVICE_PREFIX + addonId;
        var d = gateway.store().device(dev);
        if (d.isPresent() && d.get().state() == DeviceState.ADOPTED) return;
        if (d.isEmpty()) gateway.store().setOnline(dev, true, System.currentTimeMillis());
        gateway.store().adopt(dev, name + " (add-on)", "Add-ons");
    }

    void publish(String addonId, String channel, String unit, double value) throws AddonApiException {
        var b = new Batch(DEVICE_PREFIX + addonId, bootId, seq.incrementAndGet(),
                List.of(new Reading(channel, unit, new Value.Number(value), System.currentTimeMillis())));
        try {
            var outcome = gateway.pipeline().submit(Protocol.ADDON, b, null).get(10, TimeUnit.SECONDS);
            if (outcome instanceof IngestOutcome.Rejected r) throw new AddonApiException(400, "reading refused: " + r.message());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AddonApiException(503, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new AddonApiException(503, "the gateway could not store the reading now; retry");
        }
    }

    /**
     * An add-on alert is an alert rule on the add-on's own channel {@code alert_<key>} whose name
     * is the message, fired by a reading of 1: it then shows, is acknowledged and cleared like any alert.
     */
    void raiseAlert(String addonId, String addonName, String key, String message) throws AddonApiException {
        String dev = DEVICE_PREFIX + addonId, channel = "alert_" + key;
        String name = addonName + ": " + message;
        var existing = gateway.store().rules().stream().filter(r -> r.deviceId().equals(dev) && r.channel().equals(channel)).findFirst();
        if (existing.isPresent() && !existing.get().name().equals(name)) {
            gateway.alerts().deleteRule(existing.get().id());
            existing = java.util.Optional.empty();
        }
        if (existing.isEmpty()) gateway.alerts().createRule(new AlertRule(0, name, dev, channel, Op.GT, 0.5, 0, true));
        publish(addonId, channel, "", 1);
    }

    /** Alerts the add-on raised that are still open: (message, state). */
    List<String> openAlerts(String addonId) {
        String dev = DEVICE_PREFIX + addonId;
        var rules = gateway.store().rules();
        var out = new ArrayList<String>();
        for (var a : gateway.store().alerts(true)) {
            if (!a.deviceId().equals(dev)) continue;
            rules.stream().filter(r -> r.id() == a.ruleId()).findFirst().ifPresent(r -> out.add(r.name()));
        }
        return out;
    }

    /** Removes the add-on's own device with its readings, rules and alerts. */
    void forget(String addonId) {
        gateway.store().deleteDevice(DEVICE_PREFIX + addonId);
        gateway.alerts().reload();
    }
}
