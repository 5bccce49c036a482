package dev.lichen.sim.board;

import dev.lichen.senml.Reading;

/** A reading a virtual device took and its outbox reported durable: (device, boot, seq) names it. */
public record TakenReading(String deviceId, String bootId, long seq, Reading reading) {}
