package dev.lichen.gateway.web;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayComponent;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.runtime.clock.Clock;

/**
 * Plugs the web server into the gateway (found by ServiceLoader): http on the config's httpPort
 * (8080 by default, 0 in tests) and bind host.
 */
public final class WebComponent implements GatewayComponent {
    private final PasswordHasher hasher;
    private WebServer server;

    /** The ServiceLoader's way in: production password hashing. */
    public WebComponent() {
        this(new PasswordHasher());
    }

    /** Tests may use the project's floor of PBKDF2 iterations to keep their run short. */
    public WebComponent(PasswordHasher hasher) {
        this.hasher = hasher;
    }

    @Override
    public String name() {
        return "web";
    }

    @Override
    public void start(Gateway gateway) {
        server = new WebServer(gateway, Clock.SYSTEM, hasher,
                gateway.config().bindHost(), gateway.config().httpPort(),
                gateway.components(WebExtension.class)).start();
        System.getLogger(WebComponent.class.getName()).log(System.Logger.Level.INFO,
                "web UI and API on http://" + gateway.config().bindHost() + ":" + server.port() + "/");
    }

    /** The bound http port (the real one when the config said 0). */
    public int port() {
        return server.port();
    }

    public WebServer server() {
        return server;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
