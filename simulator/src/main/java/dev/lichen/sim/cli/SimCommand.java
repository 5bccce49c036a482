package dev.lichen.sim.cli;

import dev.lichen.sim.load.LoadGenerator;
import dev.lichen.sim.scenario.Durations;
import dev.lichen.senml.SenmlFormat;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lichen sim ...}: run a scenario, check one, or drive a gateway with load. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "The simulator: virtual homes of sensor appliances, faults, and load for a gateway.",
        subcommands = {SimRunCommand.class, SimValidateCommand.class, SimCommand.Load.class})
public final class SimCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = {"Drives a gateway with N light virtual devices (no chips, no outbox) sending SenML packs "
                    + "at a rate, and reports readings sent and acknowledged and the latency percentiles.",
                    "Example: lichen sim load --gateway coap://127.0.0.1:5683 --devices 1000 --rate 1 --pack 10 --duration 60s"})
    static final class Load implements Callable<Integer> {
        @Option(names = "--gateway", required = true, description = "coap://HOST:PORT or mqtt://HOST:PORT")
        URI gateway;

        @Option(names = "--devices", defaultValue = "100", description = "virtual devices (default ${DEFAULT-VALUE})")
        int devices;

        @Option(names = "--rate", defaultValue = "1",
                description = "readings per second per device; 0 = as fast as acknowledged (default ${DEFAULT-VALUE})")
        double rate;

        @Option(names = "--pack", defaultValue = "10", description = "readings per SenML pack (default ${DEFAULT-VALUE})")
        int pack;

        @Option(names = "--duration", defaultValue = "30s", description = "how long to send, e.g. 30s, 5m (default ${DEFAULT-VALUE})")
        String duration;

        @Option(names = "--format", defaultValue = "CBOR", description = "CBOR or JSON (default ${DEFAULT-VALUE})")
        SenmlFormat format;

        @Option(names = "--prefix", defaultValue = "load", description = "device ids are PREFIX-00001... (default ${DEFAULT-VALUE})")
        String prefix;

        @Override
        public Integer call() throws Exception {
            LoadGenerator.Options o;
            try {
                o = new LoadGenerator.Options(gateway, devices, rate, pack, Duration.ofMillis(Durations.millis(duration)),
                        prefix, format);
            } catch (IllegalArgumentException e) {
                System.err.println("lichen sim load: " + e.getMessage());
                return 2;
            }
            System.out.printf("load: %d devices -> %s, %s readings/s each, packs of %d, for %s%n", devices, gateway,
                    rate == 0 ? "as many" : String.valueOf(rate), pack, duration);
            LoadGenerator.Report r = new LoadGenerator(o).run(System.out);
            System.out.println("load: " + r.summary());
            return r.ackedReadings() > 0 ? 0 : 1;
        }
    }
}
