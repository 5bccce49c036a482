package dev.lichen.runtime.output;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.senml.Value;

/** On or off: a relay or a MOSFET on a GPIO pin, active high or low. */
public non-sealed interface Switch extends Output {
    void set(boolean on) throws BusException;

    boolean isOn();

    @Override
    default String unit() {
        return "";
    }

    @Override
    default Value state() {
        return new Value.Bool(isOn());
    }
}
