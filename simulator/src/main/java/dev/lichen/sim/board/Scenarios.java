package dev.lichen.sim.board;

import dev.lichen.sensors.sim.ChipModels;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.appliance.ConfigException;
import dev.lichen.appliance.DeviceConfig;
import dev.lichen.sim.scenario.ScenarioLoader;
import java.util.List;

/** The scenario loader that knows the chips the simulator models and checks device configs as the appliance does. */
public final class Scenarios {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Scenarios() {}

    public static ScenarioLoader loader() {
        return new ScenarioLoader(ChipModels.chips(), config -> {
            try {
                DeviceConfig.parse("config", JSON.writeValueAsBytes(config), ChipModels.chips());
                return List.of();
            } catch (ConfigException e) {
                return e.problems();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return List.of(": " + e.getOriginalMessage());
            }
        });
    }
}
