package dev.lichen.gateway.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.store.AlertRule;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.gateway.web.auth.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.sse.SseClient;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Server-sent events at /api/v1/live: {@code readings} (adopted devices only: a new device's
 * readings are held), {@code device} (appeared, adopted, online/offline) and {@code alert}. Each
 * browser gets its own live-bus subscription, so a slow browser drops its own events, never
 * another's or ingest's. A comment every 20 s keeps proxies from closing an idle stream.
 */
public final class LiveApi implements AutoCloseable {
    private final LiveBus bus;
    private final Store store;
    private final ObjectMapper json;
    /** Open streams and who opened them, so that a logout or a revoked account ends its streams. */
    private final Map<SseClient, Principal> clients = new ConcurrentHashMap<>();
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("sse-keepalive").factory());

    public LiveApi(LiveBus bus, Store store, ObjectMapper json) {
        this.bus = bus;
        this.store = store;
        this.json = json;
        pinger.scheduleAtFixedRate(this::ping, 20, 20, TimeUnit.SECONDS);
    }

    public void register(RoutesConfig r) {
        r.sse("/api/v1/live", this::open);
    }

    private void open(SseClient client) {
        Principal who = RequestGuard.principal(client.ctx());
        client.keepAlive();
        clients.put(client, who);
        LiveBus.Subscription sub = bus.subscribe(e -> send(client, e));
        client.onClose(() -> {
            clients.remove(client);
            sub.close();
        });
        synchronized (client) {
            client.sendEvent("hello", "{}"); // tells the page the stream is up
        }
    }

    private void send(SseClient client, LiveEvent e) {
        String name;
        Object data;
        switch (e) {
            case LiveEvent.Readings r -> {
                if (!r.adopted()) {
                    return;
                }
                name = "readings";
                data = Map.of("deviceId", r.deviceId(), "readings", r.readings().stream().map(Views::reading).toList());
            }
            case LiveEvent.DeviceChanged d -> {
                name = "device";
                data = Views.device(d.device(), null);
            }
            case LiveEvent.CommandChanged c -> {
                name = "command";
                data = Views.command(c.command());
            }
            case LiveEvent.AutomationChanged a -> {
                name = "automation";
                data = a.automation() == null ? Map.of("id", a.id(), "deleted", true)
                        : dev.lichen.gateway.automations.AutomationEngine.view(a.automation());
            }
            case LiveEvent.AlertChanged a -> {
                name = "alert";
                data = Views.alert(a.alert(), store.rule(a.alert().ruleId()).map(AlertRule::name).orElse(null));
            }
        }
        String text;
        try {
            text = json.writeValueAsString(data);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        synchronized (client) {
            if (!client.terminated()) {
                client.sendEvent(name, text);
            }
        }
    }

    /** Ends the streams of callers that match (their session ended, their account went). */
    public void disconnect(Predicate<Principal> whose) {
        clients.forEach((c, p) -> {
            if (whose.test(p)) {
                c.close();
            }
        });
    }

    private void ping() {
        for (SseClient c : clients.keySet()) {
            synchronized (c) {
                if (!c.terminated()) {
                    c.sendComment("keep-alive");
                }
            }
        }
    }

    public int clients() {
        return clients.size();
    }

    @Override
    public void close() {
        pinger.shutdownNow();
        for (SseClient c : clients.keySet()) {
            c.close();
        }
    }
}
