package dev.lichen.sim.scenario;

import java.util.List;

/** A validated fault: times are milliseconds of simulated time after the start. */
public sealed interface FaultSpec {
    long at();

    /** The devices cut off from the gateway (a lost network, or one side of a partition). */
    record NetworkLoss(long at, long forMillis, List<String> devices) implements FaultSpec {}

    /** CoAP datagrams lost with a probability and delayed, both ways. */
    record UdpTrouble(long at, long forMillis, double loss, long delayMillis) implements FaultSpec {}

    record GatewayRestart(long at, long downMillis) implements FaultSpec {}

    record SensorFault(long at, long forMillis, String device, String chip, SensorMode mode, double noise)
            implements FaultSpec {}

    /** The device restarts with a new boot id; with power loss, its outbox's last write is torn. */
    record Reboot(long at, String device, boolean powerLoss) implements FaultSpec {}

    /** The device's clock runs skewMillis off; forMillis 0 means until the end. */
    record ClockSkew(long at, long forMillis, String device, long skewMillis) implements FaultSpec {}

    enum SensorMode { STUCK, NOISY, NACK }
}
