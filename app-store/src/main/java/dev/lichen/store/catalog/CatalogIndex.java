package dev.lichen.store.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lichen.store.pkg.Permissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** index.json of a store: its publisher key and every package version it offers. */
public record CatalogIndex(
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) String publisherKey,
        @JsonProperty(required = true) String fingerprint,
        @JsonProperty(required = true) List<Entry> packages) {

    public CatalogIndex {
        packages = List.copyOf(packages);
    }

    /** One add-on, with every version the store offers (oldest first). */
    public record Entry(
            @JsonProperty(required = true) String id,
            @JsonProperty(required = true) String name,
            @JsonProperty(required = true) String summary,
            @JsonProperty(required = true) String description,
            @JsonProperty(required = true) String publisher,
            @JsonProperty(required = true) String icon,
            @JsonProperty(required = true) List<String> screenshots,
            @JsonProperty(required = true) List<Version> versions) {

        public Version latest() {
            return versions.stream().max(Comparator.comparing(v -> dev.lichen.store.pkg.Semver.parse(v.version()))).orElseThrow();
        }

        public Optional<Version> version(String v) {
            return versions.stream().filter(x -> x.version().equals(v)).findFirst();
        }
    }

    /** A downloadable package: its file (relative to the store), size, SHA-256 and signature. */
    public record Version(
            @JsonProperty(required = true) String version,
            @JsonProperty(required = true) String file,
            @JsonProperty(required = true) long size,
            @JsonProperty(required = true) String sha256,
            @JsonProperty(required = true) String signature,
            @JsonProperty(required = true) String minGatewayVersion,
            @JsonProperty(required = true) Permissions permissions,
            @JsonProperty(required = true) int memoryMb) {}

    public Optional<Entry> entry(String id) {
        return packages.stream().filter(e -> e.id().equals(id)).findFirst();
    }
}
