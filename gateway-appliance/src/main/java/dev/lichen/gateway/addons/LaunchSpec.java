package dev.lichen.gateway.addons;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to start one add-on JVM: its unpacked version folder (lib/), its own working folder, its
 * main class, its heap cap, an AOT cache when one was made, the only environment it gets, and
 * whether it was granted the network (else its network reaches only the gateway's web server).
 */
record LaunchSpec(String id, Path versionDir, Path workDir, String entryPoint, int memoryMb, Path aotCache, Map<String, String> env,
                  boolean network) {
    /** JVM overhead beyond the heap (metaspace, code, threads, the AOT map) allowed before the supervisor steps in. */
    static final int RSS_ALLOWANCE_MB = 96;

    /** The gateway's HTTP port on loopback, from the add-on API URL it is given. */
    int gatewayPort() {
        String url = env.get(dev.lichen.store.sdk.AddonContext.ENV_GATEWAY);
        return url == null ? 0 : java.net.URI.create(url).getPort();
    }

    long rssCapKb() {
        return (memoryMb + RSS_ALLOWANCE_MB) * 1024L;
    }

    /** The java command: small heap, SerialGC, C1 only, small stacks, die on OOM (made for a fast start, not peak speed). */
    List<String> command(String aotFlag) {
        var cmd = new ArrayList<String>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + memoryMb + "m");
        cmd.add("-Xss256k");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseCompactObjectHeaders");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:MaxMetaspaceSize=64m");
        cmd.add("-XX:ReservedCodeCacheSize=32m");
        cmd.add("-XX:-UsePerfData"); // no hsperfdata file in /tmp: less start work, nothing shared
        cmd.add("-Xlog:disable");
        cmd.add("-Xlog:all=warning:stderr");
        cmd.add("-Djava.io.tmpdir=" + workDir.resolve("tmp")); // not the shared /tmp: its own folder only
        if (aotFlag != null) cmd.add(aotFlag);
        cmd.add("-cp");
        cmd.add(versionDir.resolve("lib") + "/*");
        cmd.add(entryPoint);
        return cmd;
    }
}
