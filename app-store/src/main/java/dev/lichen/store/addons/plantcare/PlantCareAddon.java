package dev.lichen.store.addons.plantcare;

import static dev.lichen.store.sdk.Http.esc;

import dev.lichen.store.sdk.Addon;
import dev.lichen.store.sdk.AddonContext;
import dev.lichen.store.sdk.AddonRuntime;
import dev.lichen.store.sdk.GatewayApi;
import dev.lichen.store.sdk.Http;
import dev.lichen.store.sdk.Routes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Plant care: per plant, "days until dry" from the soil-moisture trend, and a watering alert. */
public final class PlantCareAddon implements Addon {
    public static void main(String[] args) throws Exception {
        AddonRuntime.run(new PlantCareAddon());
    }

    @Override
    public void start(AddonContext ctx, Routes routes) {
        routes.get("/", req -> Routes.Response.html(page(ctx)));
        routes.get("/plants.json", req -> Routes.Response.json(plants(ctx)));
    }

    @Override
    public void onReading(AddonContext ctx, GatewayApi.Reading r) throws IOException {
        if (!r.channel().equals("soil_moisture")) return;
        var p = assess(ctx, new GatewayApi.Channel(r.device(), r.channel(), r.room(), r.unit()));
        if (p.waterNow()) {
            ctx.gateway().raiseAlert("water-" + r.device(), String.format("Water the plant %s in %s: soil moisture %.0f%% (below %.0f%%)",
                    r.device(), r.room(), p.moisture(), PlantCare.DRY_PERCENT));
        }
        if (p.daysUntilDry().isPresent()) {
            ctx.gateway().publish(r.device().replace('-', '_') + "_days_until_dry", "d", Math.round(p.daysUntilDry().getAsDouble() * 10) / 10.0);
        }
    }

    private static List<PlantCare> plants(AddonContext ctx) throws IOException {
        var out = new ArrayList<PlantCare>();
        for (var ch : ctx.gateway().channels()) {
            if (ch.channel().equals("soil_moisture")) out.add(assess(ctx, ch));
        }
        return out;
    }

    private static PlantCare assess(AddonContext ctx, GatewayApi.Channel ch) throws IOException {
        long now = System.currentTimeMillis();
        var samples = ctx.gateway().readings(ch.device(), ch.channel(), now - PlantCare.WINDOW_MILLIS);
        return PlantCare.assess(ch.device(), ch.room(), samples, now, PlantCare.DRY_PERCENT);
    }

    private static String page(AddonContext ctx) {
        List<PlantCare> plants;
        try {
            plants = plants(ctx);
        } catch (IOException e) {
            return Http.page("Plant care", "<p class=alert>Cannot read the plants: " + esc(e.getMessage()) + "</p>");
        }
        if (plants.isEmpty()) return Http.page("Plant care", "<p>No soil-moisture sensors yet. Add one to a plant and it shows here.</p>");
        var sb = new StringBuilder("<table id=plants><tr><th>Plant</th><th>Room</th><th>Soil moisture</th><th>Trend</th><th>Forecast</th></tr>");
        for (var p : plants) {
            sb.append("<tr data-device='").append(esc(p.device())).append("'><td>").append(esc(p.device())).append("</td><td>").append(esc(p.room()))
                    .append("</td><td>").append(Double.isNaN(p.moisture()) ? "-" : String.format("%.0f %%", p.moisture()))
                    .append("</td><td>").append(String.format("%+.1f %%/day", p.slopePerDay()))
                    .append("</td><td class='forecast").append(p.waterNow() ? " alert" : "").append("'>").append(esc(p.forecastText())).append("</td></tr>");
        }
        return Http.page("Plant care", sb.append("</table><p>Dry below ").append(PlantCare.DRY_PERCENT).append(" % soil moisture.</p>").toString());
    }
}
