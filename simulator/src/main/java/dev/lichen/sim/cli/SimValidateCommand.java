package dev.lichen.sim.cli;

import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.ScenarioException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Checks a scenario file and says what is wrong, field by field; starts nothing.")
final class SimValidateCommand implements Callable<Integer> {
    @Option(names = "--scenario", required = true, description = "the scenario JSON file")
    Path scenario;

    @Override
    public Integer call() {
        try {
            Plan p = Scenarios.loader().load(scenario);
            System.out.printf("%s: valid: %d rooms, %d plants, %d fridges, %d doors, %d devices, %d outputs, %d faults, seed %d%n",
                    scenario, p.home().rooms().size(), p.home().plants().size(), p.home().fridges().size(),
                    p.home().doors().size(), p.devices().size(),
                    p.devices().stream().mapToInt(d -> d.outputs().size()).sum(), p.faults().size(), p.seed());
            return 0;
        } catch (ScenarioException e) {
            System.err.println("lichen sim: invalid scenario " + e.getMessage());
            return 2;
        }
    }
}
