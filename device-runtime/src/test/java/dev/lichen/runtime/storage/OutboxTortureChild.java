package dev.lichen.runtime.storage;

import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.nio.file.Path;
import java.util.List;

/**
 * The process {@link OutboxTortureTest} kills: appenders print every sequence the outbox reported
 * durable ("d 17;"), an acknowledger prints the sequence it is about to acknowledge ("a 12;"). The
 * ';' marks a whole line: a kill can cut the last one short ("d 14" of "d 1423;").
 */
public final class OutboxTortureChild {
    private static final Object OUT = new Object();

    static void say(String line) {
        synchronized (OUT) {
            System.out.println(line);
            System.out.flush();
        }
    }

    public static void main(String[] args) throws Exception {
        FileOutbox outbox = FileOutbox.open(Path.of(args[0]), 64L << 20, 16 * 1024);
        String boot = args[1];
        say("ready " + outbox.stats().lastDurableSeq());
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread.ofPlatform().start(() -> {
                try {
                    for (long i = 0; ; i++) {
                        Reading r = new Reading("ch" + thread, "Cel", new Value.Number(i * 0.5), 1_764_170_000_000L + i);
                        say("d " + outbox.append(boot, r).seq() + ";");
                    }
                } catch (Exception e) {
                    say("error " + e);
                }
            });
        }
        while (true) {
            Thread.sleep(15);
            List<Outbox.Entry> p = outbox.pending(200);
            if (p.size() < 150) continue;
            long upTo = p.get(p.size() - 100).seq();
            say("a " + upTo + ";");
            outbox.acknowledge(upTo);
        }
    }
}
