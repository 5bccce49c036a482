package dev.lichen.gateway.ingest;

import dev.lichen.senml.SenmlCodec;
import java.util.Optional;

/**
 * Who may publish and subscribe what on the gateway's broker: a device publishes only its own
 * {@code lichen/<id>/readings} and {@code lichen/<id>/status} and subscribes only to its own
 * {@code lichen/<id>/cmd}, without wildcards; nobody else gets anything (no {@code #}, no other
 * device's topics, no {@code cmd} to publish: commands come from the gateway itself, which does
 * not go through the broker's authorization). A device that has a key is only its own login; one
 * without a key yet (not commissioned) may still speak anonymously for itself, as it could
 * before, but never for a device that has one.
 */
final class BrokerAccess {
    static final String PREFIX = "lichen/";

    /** Whether a device has credentials on this gateway (a pre-shared key, or a public key it was adopted with). */
    @FunctionalInterface
    interface Credentials {
        boolean hasKey(String deviceId);
    }

    private final Credentials keys;

    BrokerAccess(Credentials keys) {
        this.keys = keys;
    }

    /**
     * Why a client that authenticated as {@code login} (empty: anonymous) may not connect with
     * {@code clientId}; empty when it may. A client id that names a device with a key is that
     * device's: anyone else taking it would take over the device's session and cut it off.
     */
    Optional<String> connect(Optional<String> login, String clientId) {
        if (!keys.hasKey(clientId) || login.filter(clientId::equals).isPresent()) return Optional.empty();
        return Optional.of("client id '" + clientId + "' is a device with its own credentials on this gateway: log in as it"
                + " (user name " + clientId + ", its key as the password)");
    }

    /** Why {@code login} (empty: anonymous) may not publish to {@code topic}; empty when it may. */
    Optional<String> publish(Optional<String> login, String topic) {
        String id = deviceOf(topic, "readings", "status");
        if (id == null) {
            return Optional.of("a device publishes only lichen/<its id>/readings and lichen/<its id>/status, not " + topic);
        }
        return speaksFor(login, id);
    }

    /** Why {@code login} may not subscribe to {@code filter}; empty when it may. */
    Optional<String> subscribe(Optional<String> login, String filter) {
        String id = deviceOf(filter, "cmd");
        if (id == null) {
            return Optional.of("a device subscribes only to lichen/<its id>/cmd, without wildcards, not " + filter);
        }
        return speaksFor(login, id);
    }

    private Optional<String> speaksFor(Optional<String> login, String id) {
        if (login.isPresent()) {
            return login.get().equals(id) ? Optional.empty()
                    : Optional.of("logged in as '" + login.get() + "': the topics of '" + id + "' are not yours");
        }
        return keys.hasKey(id) ? Optional.of("device '" + id + "' has its own credentials on this gateway: log in as it (user name " + id + ")")
                : Optional.empty();
    }

    /** The device id of lichen/{id}/{leaf} for one of the leaves, or null (wildcards are no device id). */
    static String deviceOf(String topic, String... leaves) {
        if (!topic.startsWith(PREFIX)) return null;
        int slash = topic.indexOf('/', PREFIX.length());
        if (slash < 0) return null;
        String id = topic.substring(PREFIX.length(), slash);
        String leaf = topic.substring(slash + 1);
        if (!SenmlCodec.isDeviceId(id)) return null;
        for (String l : leaves) {
            if (l.equals(leaf)) return id;
        }
        return null;
    }
}
