package dev.lichen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one launcher for people: each module contributes its own subcommand. */
@Command(name = "lichen", mixinStandardHelpOptions = true, version = "lichen 0.1.0",
        description = "Home-sensor appliances: gateway, sensors, simulator, images, add-on store.",
        subcommands = {
            CommandLine.HelpCommand.class,
            dev.lichen.appliance.SensorCommand.class,
            dev.lichen.gateway.GatewayCommand.class,
            dev.lichen.store.cli.StoreCommand.class,
            dev.lichen.sensors.probe.SensorsCommand.class,
            dev.lichen.armboot.ImageCommand.class,
            dev.lichen.sim.cli.SimCommand.class,
            dev.lichen.sim.demo.DemoCommand.class,
        })
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
