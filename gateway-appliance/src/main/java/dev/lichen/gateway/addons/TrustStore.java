package dev.lichen.gateway.addons;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stores this gateway lists, each with the publisher-key fingerprint its administrator
 * accepted. A store whose fingerprint is not accepted (or whose key changed) installs nothing.
 */
public final class TrustStore {
    /** A listed store; {@code acceptedFingerprint} is null until an admin accepts its key. */
    public record StoreEntry(String url, String name, String offeredFingerprint, String acceptedFingerprint) {
        public boolean trusted() {
            return acceptedFingerprint != null && acceptedFingerprint.equals(offeredFingerprint);
        }
    }

    private final JsonFile<List<StoreEntry>> file;

    public TrustStore(Path file) {
        this.file = new JsonFile<>(file, new TypeReference<>() {}, List.of());
    }

    public List<StoreEntry> stores() {
        return file.read();
    }

    public Optional<StoreEntry> store(String url) {
        return stores().stream().filter(s -> s.url().equals(url)).findFirst();
    }

    /** Lists a store with the key fingerprint it offers now (not trusted yet unless already accepted). */
    public synchronized StoreEntry add(String url, String name, String offered) {
        var list = new ArrayList<>(stores());
        var old = store(url);
        list.removeIf(s -> s.url().equals(url));
        var e = new StoreEntry(url, name, offered, old.map(StoreEntry::acceptedFingerprint).orElse(null));
        list.add(e);
        file.write(list);
        return e;
    }

    /** The admin accepts the fingerprint they were shown; refused if the store now offers another. */
    public synchronized StoreEntry accept(String url, String fingerprint) {
        var e = store(url).orElseThrow(() -> new IllegalArgumentException("store " + url + " is not listed; add it first"));
        if (!e.offeredFingerprint().equals(fingerprint)) {
            throw new IllegalArgumentException("the fingerprint given does not match the one store " + url + " offers (" + e.offeredFingerprint() + ")");
        }
        var list = new ArrayList<>(stores());
        list.removeIf(s -> s.url().equals(url));
        var accepted = new StoreEntry(url, e.name(), e.offeredFingerprint(), fingerprint);
        list.add(accepted);
        file.write(list);
        return accepted;
    }

}
