package dev.lichen.gateway.live;

import dev.lichen.gateway.store.Alert;
import dev.lichen.gateway.store.Device;
import dev.lichen.gateway.store.StoredReading;
import java.util.List;

/** What the live bus carries to the web's server-sent events, after it is durably stored. */
public sealed interface LiveEvent {
    /** Newly stored readings of one device (one per pack, duplicates left out). adopted tells whether to show them. */
    record Readings(String deviceId, boolean adopted, List<StoredReading> readings) implements LiveEvent {
        public Readings {
            readings = List.copyOf(readings);
        }
    }

    /** A device appeared, was adopted/rejected, or changed online state, battery or signal. */
    record DeviceChanged(Device device) implements LiveEvent {}

    /** A command was made, acknowledged by its device, or expired. */
    record CommandChanged(dev.lichen.gateway.store.StoredCommand command) implements LiveEvent {}

    /** An automation ran, or was made, changed (automation set) or deleted (automation null). */
    record AutomationChanged(long id, dev.lichen.gateway.automations.Automation automation) implements LiveEvent {}

    /** An alert fired, was acknowledged or cleared. */
    record AlertChanged(Alert alert) implements LiveEvent {}
}
