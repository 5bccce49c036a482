package dev.lichen.store.addons.share;

import static dev.lichen.store.sdk.Http.esc;

import dev.lichen.store.addons.fridge.Freshness;
import dev.lichen.store.sdk.Addon;
import dev.lichen.store.sdk.AddonContext;
import dev.lichen.store.sdk.AddonRuntime;
import dev.lichen.store.sdk.Http;
import dev.lichen.store.sdk.Json;
import dev.lichen.store.sdk.Routes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Share and compare: with the household's consent, publishes anonymised daily aggregates (summoned
 * hourly by the gateway's timer, sending once a day; or when a person clicks publish) to a
 * community endpoint (another gateway running this add-on, under its public {@code community/}
 * path) and shows how this home compares with the median home there.
 */
public final class ShareAddon implements Addon {
    /** This add-on's settings, kept in its own data folder. */
    public record Settings(boolean consent, String community, String home, Aggregates lastSent, Community.Medians lastMedians) {}

    private Path settingsFile;
    private Community community;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        AddonRuntime.run(new ShareAddon());
    }

    @Override
    public void start(AddonContext ctx, Routes routes) throws IOException {
        settingsFile = ctx.dataDir().resolve("share.json");
        community = new Community(ctx.dataDir().resolve("community.json"));
        routes.get("/", req -> Routes.Response.html(page(settings(), null)));
        routes.post("/consent", req -> {
            var s = settings();
            boolean on = "on".equals(req.form().get("consent"));
            // a new random home id each time consent is given: earlier submissions cannot be linked to later ones
            save(new Settings(on, s.community(), on && !s.consent() ? newHomeId() : s.home(), s.lastSent(), s.lastMedians()));
            return Routes.Response.seeOther("./");
        });
        routes.post("/settings", req -> {
            String url = req.form().getOrDefault("community", "").trim();
            if (!url.matches("https?://[A-Za-z0-9.:\\[\\]-]+(/[A-Za-z0-9._~/-]*)?")) {
                return Routes.Response.text(400, "community must be an http(s) URL like http://192.168.1.20:8080/apps/share/");
            }
            var s = settings();
            save(new Settings(s.consent(), url.endsWith("/") ? url : url + "/", s.home(), s.lastSent(), s.lastMedians()));
            return Routes.Response.seeOther("./");
        });
        routes.post("/publish", req -> {
            var s = settings();
            if (!s.consent()) return Routes.Response.text(409, "Sharing is off: the household has not consented. Turn sharing on first.");
            if (s.community() == null) return Routes.Response.text(409, "No community endpoint set.");
            try {
                publish(ctx, s);
            } catch (IOException e) {
                return Routes.Response.html(page(settings(), "Could not reach the community: " + e.getMessage()));
            }
            return Routes.Response.seeOther("./");
        });
        // the gateway's hourly timer: publishes once a UTC day, and only with the household's consent
        routes.post("/daily", req -> {
            var s = settings();
            if (!s.consent() || s.community() == null) return Routes.Response.text(200, "sharing is off or has no community: nothing sent");
            if (s.lastSent() != null && s.lastSent().day().equals(LocalDate.now(ZoneOffset.UTC).toString())) {
                return Routes.Response.text(200, "today's figures were sent already");
            }
            try {
                publish(ctx, s);
            } catch (IOException e) {
                return Routes.Response.text(502, "could not reach the community (will try again next hour): " + e.getMessage());
            }
            return Routes.Response.text(200, "published today's figures");
        });
        routes.post("/community/submit", req -> {
            try {
                community.submit(Json.read(req.body(), Aggregates.class));
            } catch (IOException | IllegalArgumentException e) {
                return Routes.Response.text(400, "refused: " + e.getMessage());
            }
            return Routes.Response.text(202, "stored");
        });
        routes.get("/community/medians", req -> Routes.Response.json(community.medians()));
    }

    /** Today's (last 24 h) figures from the granted channels, rounded. */
    static Aggregates aggregate(AddonContext ctx, String home) throws IOException {
        long now = System.currentTimeMillis(), from = now - 86_400_000L;
        Integer opens = null;
        double tempSum = 0;
        int tempN = 0;
        for (var ch : ctx.gateway().channels()) {
            var samples = ctx.gateway().readings(ch.device(), ch.channel(), from);
            if (ch.channel().equals("door")) opens = (opens == null ? 0 : opens) + Freshness.openings(samples);
            if (ch.channel().equals("temperature")) {
                for (var x : samples) {
                    tempSum += x.v();
                    tempN++;
                }
            }
        }
        return Aggregates.rounded(home, LocalDate.now(ZoneOffset.UTC).toString(), opens, tempN == 0 ? null : tempSum / tempN);
    }

    private void publish(AddonContext ctx, Settings s) throws IOException, InterruptedException {
        Aggregates mine = aggregate(ctx, s.home());
        URI base = URI.create(s.community());
        var r = http.send(HttpRequest.newBuilder(base.resolve("community/submit")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(mine))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) throw new IOException("community answered HTTP " + r.statusCode() + ": " + r.body());
        var m = http.send(HttpRequest.newBuilder(base.resolve("community/medians")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (m.statusCode() != 200) throw new IOException("community answered HTTP " + m.statusCode());
        save(new Settings(s.consent(), s.community(), s.home(), mine, Json.read(m.body(), Community.Medians.class)));
    }

    private String page(Settings s, String error) {
        var sb = new StringBuilder();
        if (error != null) sb.append("<p class=alert>").append(esc(error)).append("</p>");
        sb.append("<form method=post action=consent><label><input type=checkbox name=consent id=consent").append(s.consent() ? " checked" : "")
                .append("> Share anonymised daily figures (fridge openings per day, mean temperature; rounded; no device names)</label> ")
                .append("<button id=save-consent>Save</button></form>")
                .append("<p id=consent-state>Sharing is ").append(s.consent() ? "on" : "off").append(".</p>")
                .append("<form method=post action=settings><label>Community endpoint <input name=community id=community size=40 value='")
                .append(esc(s.community() == null ? "" : s.community())).append("'></label> <button id=save-community>Set</button></form>");
        if (s.consent() && s.community() != null) sb.append("<form method=post action=publish><button id=publish>Publish today's figures and compare</button></form>");
        if (s.lastSent() != null && s.lastMedians() != null) {
            sb.append("<h2>How this home compares</h2><ul id=comparison>");
            for (String line : Community.compare(s.lastSent(), s.lastMedians())) sb.append("<li>").append(esc(line)).append("</li>");
            sb.append("</ul><p>Sent: ").append(esc(new String(Json.write(s.lastSent())))).append("</p>");
        }
        var m = community.medians();
        if (m.homes() > 0) sb.append("<p id=community-size>This gateway hosts a community of ").append(m.homes()).append(" homes.</p>");
        return Http.page("Share & compare", sb.toString());
    }

    private Settings settings() throws IOException {
        return Files.exists(settingsFile) ? Json.read(Files.readAllBytes(settingsFile), Settings.class) : new Settings(false, null, null, null, null);
    }

    private void save(Settings s) throws IOException {
        Files.write(settingsFile, Json.write(s));
    }

    private static String newHomeId() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
