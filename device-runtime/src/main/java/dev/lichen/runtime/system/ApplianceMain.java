package dev.lichen.runtime.system;

import dev.lichen.appliance.SensorCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The sensor appliance's entry on an image: {@code lichen sensor run} with the image's arguments,
 * run by {@link Init} as its supervised work. A non-zero end (a bad config) is a failure, so the
 * supervisor restarts it and, when it keeps failing, reboots. The image's own arguments
 * ({@code run --config FILE}) go straight to the appliance: picocli's model of the command line
 * costs about a second of the boot under emulation; any other arguments go through picocli.
 */
public final class ApplianceMain {
    private ApplianceMain() {}

    public static void main(String[] args) throws Exception {
        int rc = args.length == 3 && args[0].equals("run") && args[1].equals("--config")
                ? SensorCommand.runAppliance(Path.of(args[2]), Optional.empty(), new PrintWriter(System.err, true))
                : new CommandLine(new SensorCommand()).execute(args);
        if (rc != 0) throw new IllegalStateException("the sensor appliance ended with status " + rc);
    }
}
