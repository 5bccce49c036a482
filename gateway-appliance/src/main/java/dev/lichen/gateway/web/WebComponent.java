package dev.lichen.gateway.web;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayComponent;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.runtime.clock.Clock;

/**
 * Plugs the web server into the gateway (found by ServiceLoader): https on the config's httpsPort
 * (8443 by default) with http on httpPort (8080) only redirecting there, or plain http on httpPort
 * when https is off (tests, {@code --plain-http}).
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
                gateway.config().bindHost(), gateway.config().httpPort(), gateway.config().httpsPort(),
                gateway.components(WebExtension.class)).start();
        var log = System.getLogger(WebComponent.class.getName());
        if (server.https()) {
            log.log(System.Logger.Level.INFO, "web UI and API on https://" + gateway.config().bindHost() + ":" + server.httpsPort()
                    + "/ (http on " + server.httpPort() + " redirects there); gateway CA fingerprint (SHA-256) "
                    + gateway.tls().caFingerprint());
        } else {
            log.log(System.Logger.Level.INFO, "web UI and API on http://" + gateway.config().bindHost() + ":" + server.port()
                    + "/ (plain http: passwords and cookies cross the network in the clear)");
        }
    }

    /** The bound port the UI is served on (https's when on; the real one when the config said 0). */
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
