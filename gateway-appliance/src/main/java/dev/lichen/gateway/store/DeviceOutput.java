package dev.lichen.gateway.store;

/** An output a device announced (its "outputs" reading): its name is also the channel of its state. */
public record DeviceOutput(String deviceId, String name, OutputKind kind) {}
