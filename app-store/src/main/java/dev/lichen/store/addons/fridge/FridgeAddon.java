package dev.lichen.store.addons.fridge;

import static dev.lichen.store.sdk.Http.esc;

import dev.lichen.store.sdk.Addon;
import dev.lichen.store.sdk.AddonContext;
import dev.lichen.store.sdk.AddonRuntime;
import dev.lichen.store.sdk.GatewayApi;
import dev.lichen.store.sdk.Http;
import dev.lichen.store.sdk.Routes;
import java.io.IOException;

/** Fridge freshness: a spoilage alert from the VOC trend and a door-left-open alert. */
public final class FridgeAddon implements Addon {
    public static void main(String[] args) throws Exception {
        AddonRuntime.run(new FridgeAddon());
    }

    @Override
    public void start(AddonContext ctx, Routes routes) {
        routes.get("/", req -> Routes.Response.html(page(ctx)));
    }

    @Override
    public void onReading(AddonContext ctx, GatewayApi.Reading r) throws IOException {
        long now = System.currentTimeMillis();
        switch (r.channel()) {
            case "voc" -> {
                var s = Freshness.spoilage(ctx.gateway().readings(r.device(), "voc", now - 30 * 3_600_000L), now);
                if (s.spoiling()) ctx.gateway().raiseAlert("spoil-" + r.device(), "Fridge in " + r.room() + ": " + s.text());
            }
            case "door" -> {
                if (r.v() >= 0.5) checkDoor(ctx, r);
            }
            default -> {}
        }
    }

    /**
     * Alerts at once when the door has been open past the limit (a reading that arrived late, after
     * a device's network came back); otherwise stays up until the limit and looks again, since the
     * door may have been closed meanwhile.
     */
    private static void checkDoor(AddonContext ctx, GatewayApi.Reading r) throws IOException {
        long now = System.currentTimeMillis();
        var door = ctx.gateway().readings(r.device(), "door", now - 86_400_000L);
        var since = Freshness.openSince(door);
        if (since.isEmpty()) return;
        if (Freshness.leftOpen(door, now)) {
            ctx.gateway().raiseAlert("door-" + r.device(), "The fridge door in " + r.room() + " has been open for "
                    + (now - since.get()) / 60_000 + " minutes");
            return;
        }
        long wait = since.get() + Freshness.DOOR_LIMIT_MILLIS - now + 1000;
        AddonRuntime.stayAwake(wait / 1000 + 30);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(wait);
                checkDoor(ctx, r);
            } catch (InterruptedException | IOException e) {
                System.err.println("door check failed: " + e);
            }
        });
    }

    private static String page(AddonContext ctx) {
        var sb = new StringBuilder();
        long now = System.currentTimeMillis();
        try {
            for (var ch : ctx.gateway().channels()) {
                var samples = ctx.gateway().readings(ch.device(), ch.channel(), now - 30 * 3_600_000L);
                if (ch.channel().equals("voc")) {
                    var s = Freshness.spoilage(samples, now);
                    sb.append("<p class='voc").append(s.spoiling() ? " alert" : "").append("'>").append(esc(ch.room())).append(": ").append(esc(s.text())).append("</p>");
                } else if (ch.channel().equals("door")) {
                    var day = samples.stream().filter(x -> x.t() >= now - 86_400_000L).toList();
                    var open = Freshness.openSince(day);
                    sb.append("<p class='door").append(Freshness.leftOpen(day, now) ? " alert" : "").append("'>").append(esc(ch.room())).append(": door ")
                            .append(open.map(t -> "open for " + (now - t) / 1000 + " s").orElse("closed")).append(", opened ")
                            .append(Freshness.openings(day)).append(" times in 24 h</p>");
                }
            }
        } catch (IOException e) {
            return Http.page("Fridge freshness", "<p class=alert>Cannot read the fridge: " + esc(e.getMessage()) + "</p>");
        }
        return Http.page("Fridge freshness", sb.isEmpty() ? "<p>No fridge sensors yet (VOC or door).</p>" : sb.toString());
    }
}
