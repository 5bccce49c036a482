package dev.lichen.sim.cli;

import dev.lichen.gateway.GatewayConfig;
import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.board.Simulation;
import dev.lichen.sim.demo.EmbeddedGateway;
import dev.lichen.sim.scenario.Durations;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.ScenarioException;
import dev.lichen.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a scenario: virtual boards with the real sensor appliance, in a simulated home, with its faults.",
                "Without --gateway it starts a gateway in the same process (data in --data).",
                "Faults on the command line: --fault type=partition,at=10m,for=30m,fraction=0.5 (same fields as the scenario's)."})
final class SimRunCommand implements Callable<Integer> {
    @Option(names = "--scenario", required = true, description = "the scenario JSON file")
    Path scenario;

    @Option(names = "--gateway", description = "host of a running gateway (default: start one in this process)")
    String gatewayHost;

    @Option(names = "--coap-port", defaultValue = "5683", description = "the gateway's CoAP port (default ${DEFAULT-VALUE})")
    int coapPort;

    @Option(names = "--mqtt-port", defaultValue = "1883", description = "the gateway's MQTT port (default ${DEFAULT-VALUE})")
    int mqttPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "web port of the in-process gateway (default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--data", defaultValue = "lichen-sim-data", description = "the devices' (and in-process gateway's) data folder")
    Path data;

    @Option(names = "--fault", description = "an extra fault, as key=value pairs (repeatable)")
    List<String> faults = new ArrayList<>();

    @Option(names = "--duration", description = "simulated time to run, e.g. 5m (overrides the scenario's; default: the scenario's, or until Ctrl-C)")
    String duration;

    @Option(names = "--plain", description = "devices send in the clear (CoAP, MQTT) instead of CoAPS with keys of their own and MQTT over TLS to the in-process gateway")
    boolean plain;

    @Option(names = "--virtual-time", description = "run as fast as possible on a discrete-event clock (repeatable runs)")
    boolean virtualTime;

    @Override
    public Integer call() throws Exception {
        Plan plan;
        try {
            List<com.fasterxml.jackson.databind.node.ObjectNode> extra = new ArrayList<>();
            for (String f : faults) extra.add(ScenarioLoader.faultFromFlag(f));
            plan = Scenarios.loader().parse(Files.readAllBytes(scenario), scenario.toString(), extra);
            if (duration != null) {
                plan = new Plan(plan.home(), plan.seed(), plan.speed(), plan.startMillis(), Durations.millis(duration),
                        plan.houseSpeed(), plan.devices(), plan.faults());
            }
        } catch (ScenarioException | IllegalArgumentException e) {
            System.err.println("lichen sim: invalid scenario " + e.getMessage());
            System.err.println("lichen sim: nothing was started. Fix the fields named above (lichen sim validate --scenario FILE checks again).");
            return 2;
        } catch (java.io.IOException e) {
            System.err.println("lichen sim: cannot read " + scenario + ": " + e.getMessage());
            return 2;
        }
        EmbeddedGateway embedded = null;
        Simulation.GatewayHandle gateway;
        if (gatewayHost == null) {
            embedded = new EmbeddedGateway(GatewayConfig.defaults().withDataDir(data.resolve("gateway"))
                    .withBindHost("127.0.0.1").withPorts(coapPort, mqttPort, httpPort)
                    // loopback only: plain http, which browsers treat as a secure origin there
                    .withHttpsPort(GatewayConfig.HTTPS_OFF)
                    // every simulated device comes from this one address: raise the per-address bounds to the plan
                    .withLimits(GatewayConfig.Limits.forDevicesOnOneHost(plan.devices().size())));
            gateway = embedded;
        } else {
            String host = gatewayHost;
            gateway = new Simulation.GatewayHandle() {
                @Override public String host() { return host; }
                @Override public int coapPort() { return coapPort; }
                @Override public int mqttPort() { return mqttPort; }
            };
        }
        Simulation sim = new Simulation(plan, gateway, new Simulation.Options(data.resolve("devices"), virtualTime, false, System.out, plain));
        EmbeddedGateway toClose = embedded;
        Thread hook = new Thread(() -> {
            sim.close();
            if (toClose != null) toClose.close();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        sim.start();
        System.out.printf("sim: %d devices running at %sx, seed %d, gateway %s (CoAP %d, MQTT %d)%n", plan.devices().size(),
                virtualTime ? "virtual " : plan.speed(), plan.seed(), gateway.host(), gateway.coapPort(), gateway.mqttPort());
        Thread progress = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Thread.sleep(10_000);
                    long queued = sim.devices().stream().mapToLong(d -> d.backlog()).sum();
                    System.out.printf("sim: t+%ds simulated, %d readings taken, %d queued on the devices%n",
                            sim.clock().elapsedMillis() / 1000, sim.readings().count(), queued);
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        sim.awaitEnd();
        progress.interrupt();
        long backlog = sim.devices().stream().mapToLong(d -> d.backlog()).sum();
        System.out.printf("sim: done: %d readings taken in %ds simulated, %d of them acknowledged by the gateway, %d still queued on the devices%n",
                sim.readings().count(), sim.clock().elapsedMillis() / 1000, sim.readings().count() - backlog, backlog);
        Runtime.getRuntime().removeShutdownHook(hook);
        hook.run();
        return 0;
    }
}
