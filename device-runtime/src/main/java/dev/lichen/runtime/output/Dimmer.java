package dev.lichen.runtime.output;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.senml.Value;

/**
 * A level from 0 to 100 %: PWM duty on a hardware-PWM pin, reached over the output's ramp time.
 * {@link #set} returns once the target is reached (after the ramp), {@link #level()} is the
 * level the pin is at.
 */
public non-sealed interface Dimmer extends Output {
    void set(double percent) throws BusException;

    double level();

    @Override
    default String unit() {
        return "%";
    }

    @Override
    default Value state() {
        return new Value.Number(level());
    }
}
