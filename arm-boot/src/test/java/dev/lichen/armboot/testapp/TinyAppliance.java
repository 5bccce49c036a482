package dev.lichen.armboot.testapp;

import dev.lichen.runtime.system.Machine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;

/**
 * A stand-in appliance for the image tests until the real sensor appliance lands: one reading a
 * second, each appended durably (fsync) to a log on the data partition before it is sent, sent by
 * CoAP POST until the gateway answers 2.04, the acknowledged count kept beside the log. Powers
 * the machine off once the gateway has acknowledged {@code --power-off-after} readings in all.
 */
public final class TinyAppliance {
    public static void main(String[] args) throws Exception {
        String config = Files.readString(Path.of(args[1]));
        int powerOffAfter = Integer.parseInt(args[3]);
        String host = field(config, "host");
        String port = field(config, "port");
        String device = field(config, "deviceId");
        Path dir = Path.of("/var/lib/lichen");
        Path log = dir.resolve("readings.log");
        Path acked = dir.resolve("acked.txt");
        String boot = UUID.randomUUID().toString().substring(0, 8);
        System.out.println("tiny-appliance: started " + device + " boot " + boot + " -> coap://" + host + ":" + port + "/r");
        org.eclipse.californium.core.config.CoapConfig.register();
        org.eclipse.californium.elements.config.UdpConfig.register();
        CoapClient client = new CoapClient("coap://" + host + ":" + port + "/r");
        client.setTimeout(3000L);
        try (FileChannel out = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            for (long seq = 1; ; seq++) {
                double value = 20 + seq * 0.5;
                String line = boot + "," + seq + "," + value + "," + System.currentTimeMillis() + "\n";
                out.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
                out.force(true);
                System.out.println("tiny-appliance: reading " + boot + " seq=" + seq + " value=" + value + " durable");
                List<String> lines = Files.readAllLines(log);
                int done = Files.exists(acked) ? Integer.parseInt(Files.readString(acked).trim()) : 0;
                if (done < lines.size()) {
                    String pending = String.join("\n", lines.subList(done, lines.size()));
                    try {
                        CoapResponse r = client.post(device + "\n" + pending, MediaTypeRegistry.TEXT_PLAIN);
                        if (r != null && r.getCode() == CoAP.ResponseCode.CHANGED) {
                            done = lines.size();
                            try (FileChannel a = FileChannel.open(acked, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                    StandardOpenOption.TRUNCATE_EXISTING)) {
                                a.write(ByteBuffer.wrap((done + "\n").getBytes(StandardCharsets.US_ASCII)));
                                a.force(true);
                            }
                            System.out.println("tiny-appliance: acknowledged " + done);
                        } else {
                            System.out.println("tiny-appliance: gateway answered " + (r == null ? "nothing" : r.getCode()));
                        }
                    } catch (IOException | RuntimeException e) {
                        System.out.println("tiny-appliance: send failed: " + e);
                    }
                }
                if (done >= powerOffAfter) {
                    System.out.println("tiny-appliance: " + done + " acknowledged, powering off");
                    client.shutdown();
                    Machine.powerOff();
                }
                Thread.sleep(1000);
            }
        }
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^\",}]+)").matcher(json);
        if (!m.find()) throw new IllegalArgumentException("config lacks " + name);
        return m.group(1).trim();
    }
}
