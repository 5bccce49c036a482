package dev.lichen.benchmarks;

import java.io.File;

/**
 * How the load runs start {@code lichen gateway} as its own process: with the JVM options the
 * launcher ships, and with the gateway's class path. That matters: the web server serves its static
 * files from the class path, and with the benchmarks' shaded jar (130 MB, 160,000 entries) Jetty
 * mounts it as a zip file system and indexes every entry, about 30 MB of a 112 MB heap; {@code
 * lichen gateway} runs with the module jars. Give them with {@code -Dlichen.gateway.classpath=...}
 * (BENCHMARKS.md shows how); without it the run warns and uses its own class path.
 */
public final class GatewayJvm {
    /** What the {@code lichen} launcher gives {@code lichen gateway} (LICHEN_JAVA_OPTS unset). */
    public static final String SHIPPED = "-Xmx112m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -Xss512k -XX:+UseCompactObjectHeaders";

    private GatewayJvm() {}

    public static String classPath() {
        String cp = System.getProperty("lichen.gateway.classpath");
        if (cp != null && !cp.isBlank()) return cp;
        cp = System.getProperty("java.class.path");
        if (cp.split(File.pathSeparator).length == 1) {
            System.out.println("WARNING: the gateway process gets this run's single jar as its class path, not the module jars"
                    + " `lichen gateway` runs with: its heap holds that jar's index; give -Dlichen.gateway.classpath=...");
        }
        return cp;
    }
}
