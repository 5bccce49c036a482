package dev.lichen.runtime.system;

import dev.lichen.appliance.SensorCommand;
import picocli.CommandLine;

/**
 * The sensor appliance's entry on an image: {@code lichen sensor run} with the image's arguments,
 * run by {@link Init} as its supervised work. A non-zero end (a bad config) is a failure, so the
 * supervisor restarts it and, when it keeps failing, reboots.
 */
public final class ApplianceMain {
    private ApplianceMain() {}

    public static void main(String[] args) {
        int rc = new CommandLine(new SensorCommand()).execute(args);
        if (rc != 0) throw new IllegalStateException("the sensor appliance ended with status " + rc);
    }
}
