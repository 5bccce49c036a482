package dev.lichen.runtime.system;

import java.io.FileOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Feeds the hardware watchdog (/dev/watchdog) while the machine is healthy. If the JVM hangs or
 * the health check turns false, the feeding stops and the hardware resets the board.
 */
public final class Watchdog implements AutoCloseable {
    private final FileOutputStream device;
    private final Thread feeder;
    private volatile boolean running = true;

    private Watchdog(FileOutputStream device, Duration period, BooleanSupplier healthy) {
        this.device = device;
        this.feeder = Thread.ofPlatform().daemon().name("watchdog").start(() -> {
            while (running) {
                try {
                    if (healthy.getAsBoolean()) {
                        device.write(0);
                        device.flush();
                    }
                    Thread.sleep(period);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
    }

    public static Watchdog start(String path, Duration period, BooleanSupplier healthy) throws IOException {
        return new Watchdog(new FileOutputStream(path), period, healthy);
    }

    /** Stops feeding and disarms the watchdog with the magic close ('V'), for an orderly power off. */
    @Override
    public void close() throws IOException {
        running = false;
        feeder.interrupt();
        device.write('V');
        device.close();
    }
}
