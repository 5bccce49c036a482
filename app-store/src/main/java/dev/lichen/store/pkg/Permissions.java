package dev.lichen.store.pkg;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What an add-on may do through the gateway's add-on API. {@code readChannels} names channels
 * (e.g. {@code soil_moisture}); {@code rooms} narrows them to rooms (empty: every room).
 */
public record Permissions(
        @JsonProperty(required = true) List<String> readChannels,
        @JsonProperty(required = true) List<String> rooms,
        @JsonProperty(required = true) boolean raiseAlerts,
        @JsonProperty(required = true) boolean publishReadings,
        // may reach other computers (LAN, internet); without it an add-on's network reaches only the gateway
        Boolean network) {

    public Permissions {
        readChannels = readChannels == null ? List.of() : List.copyOf(readChannels);
        rooms = rooms == null ? List.of() : List.copyOf(rooms);
        network = network != null && network; // absent in manifests made before it existed: no
    }

    static final String NETWORK_WORDS = "May connect to other computers (your network and the internet)";

    public static final Permissions NONE = new Permissions(List.of(), List.of(), false, false, false);

    /** True when every permission asked for here is inside {@code granted}. */
    public boolean within(Permissions granted) {
        return Set.copyOf(granted.readChannels).containsAll(readChannels)
                && (granted.rooms.isEmpty() || (!rooms.isEmpty() && Set.copyOf(granted.rooms).containsAll(rooms)))
                && (!raiseAlerts || granted.raiseAlerts)
                && (!publishReadings || granted.publishReadings)
                && (!network || granted.network);
    }

    /** The permissions asked for here that {@code granted} does not give, in plain words. */
    public List<String> missingFrom(Permissions granted) {
        var missing = new ArrayList<String>();
        for (String ch : readChannels) {
            if (!granted.readChannels.contains(ch)) missing.add("May read: " + words(ch) + " in " + roomWords(rooms));
        }
        if (!granted.rooms.isEmpty() && (rooms.isEmpty() || !Set.copyOf(granted.rooms).containsAll(rooms))) {
            missing.add("May read in " + roomWords(rooms) + " (granted only " + String.join(", ", granted.rooms) + ")");
        }
        if (raiseAlerts && !granted.raiseAlerts) missing.add("May raise alerts");
        if (publishReadings && !granted.publishReadings) missing.add("May publish derived readings");
        if (network && !granted.network) missing.add(NETWORK_WORDS);
        return missing;
    }

    /** Each permission as a sentence an administrator can judge, e.g. "May read: soil moisture in Living room". */
    public List<String> inPlainWords() {
        var out = new ArrayList<String>();
        for (String ch : readChannels) out.add("May read: " + words(ch) + " in " + roomWords(rooms));
        if (raiseAlerts) out.add("May raise alerts");
        if (publishReadings) out.add("May publish derived readings");
        if (network) out.add(NETWORK_WORDS);
        if (out.isEmpty()) out.add("Needs no access to your data");
        return out;
    }

    private static String words(String channel) {
        return channel.replace('_', ' ');
    }

    private static String roomWords(List<String> rooms) {
        return rooms.isEmpty() ? "every room" : String.join(", ", rooms);
    }
}
