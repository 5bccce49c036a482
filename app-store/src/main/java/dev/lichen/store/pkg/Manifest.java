package dev.lichen.store.pkg;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** manifest.json of a {@code .lapp}: read strictly by {@link ManifestParser}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        @JsonProperty(required = true) String id,
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) String version,
        @JsonProperty(required = true) String summary,
        String description,
        @JsonProperty(required = true) String icon,
        @JsonProperty(required = true) String publisher,
        @JsonProperty(required = true) String minGatewayVersion,
        @JsonProperty(required = true) String entryPoint,
        @JsonProperty(required = true) Permissions permissions,
        @JsonProperty(required = true) List<Page> pages,
        @JsonProperty(required = true) int memoryMb,
        List<String> screenshots,
        List<String> publicPaths,
        List<String> subscribe,
        List<Timer> timers) {

    /** A page the add-on serves under {@code /apps/{id}/{path}}. */
    public record Page(@JsonProperty(required = true) String path, @JsonProperty(required = true) String title) {}

    /**
     * The gateway summons the add-on every {@code everyMinutes} with a POST to {@code path}: how
     * an add-on that is not running does periodic work (a daily publish) without staying up.
     */
    public record Timer(@JsonProperty(required = true) String path, @JsonProperty(required = true) int everyMinutes) {}

    public Manifest {
        pages = pages == null ? List.of() : List.copyOf(pages);
        screenshots = screenshots == null ? List.of() : List.copyOf(screenshots);
        publicPaths = publicPaths == null ? List.of() : List.copyOf(publicPaths);
        subscribe = subscribe == null ? List.of() : List.copyOf(subscribe);
        timers = timers == null ? List.of() : List.copyOf(timers);
    }

    public Semver semver() {
        return Semver.parse(version);
    }

    public String describe() {
        return description == null ? summary : description;
    }
}
