package dev.lichen.store.pkg;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads manifest.json strictly: unknown fields, missing fields and bad values are named errors. */
public final class ManifestParser {
    public static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{1,31}");
    private static final Pattern CLASS_NAME = Pattern.compile("([A-Za-z_$][A-Za-z0-9_$]*\\.)*[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern CHANNEL = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Pattern PAGE_PATH = Pattern.compile("([a-z0-9][a-z0-9_-]*/?)*");
    public static final int MIN_MEMORY_MB = 16, MAX_MEMORY_MB = 1024;
    /** A week: longer periods are the add-on's own business (it is summoned hourly and keeps a date). */
    public static final int MAX_TIMERS = 4, MAX_TIMER_MINUTES = 10_080;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ManifestParser() {}

    public static ObjectMapper mapper() {
        return STRICT;
    }

    public static Manifest parse(byte[] json) throws PackageException {
        Manifest m;
        try {
            m = STRICT.readValue(json, Manifest.class);
        } catch (UnrecognizedPropertyException e) {
            var known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw bad("unknown field '" + path(e) + "' (allowed here: " + known + ")");
        } catch (MismatchedInputException e) {
            String msg = e.getOriginalMessage();
            if (msg.startsWith("Missing required creator property") || msg.startsWith("Null value for creator property")) {
                throw bad("missing required field '" + fieldIn(msg) + "'" + where(e));
            }
            throw bad("field '" + path(e) + "' has the wrong type: " + msg);
        } catch (JsonProcessingException e) {
            throw bad("not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw bad("unreadable: " + e.getMessage());
        }
        validate(m);
        return m;
    }

    private static void validate(Manifest m) throws PackageException {
        var required = new java.util.LinkedHashMap<String, Object>();
        required.put("id", m.id());
        required.put("name", m.name());
        required.put("version", m.version());
        required.put("summary", m.summary());
        required.put("icon", m.icon());
        required.put("publisher", m.publisher());
        required.put("minGatewayVersion", m.minGatewayVersion());
        required.put("entryPoint", m.entryPoint());
        required.put("permissions", m.permissions());
        for (var e : required.entrySet()) {
            if (e.getValue() == null) throw bad("missing required field '" + e.getKey() + "' (it is null)");
        }
        var errors = new ArrayList<String>();
        if (!ID.matcher(m.id()).matches()) errors.add("id '" + m.id() + "' must match " + ID.pattern());
        if (!Semver.isValid(m.version())) errors.add("version '" + m.version() + "' is not a semantic version like 1.2.3");
        if (!Semver.isValid(m.minGatewayVersion())) errors.add("minGatewayVersion '" + m.minGatewayVersion() + "' is not a semantic version");
        if (!CLASS_NAME.matcher(m.entryPoint()).matches()) errors.add("entryPoint '" + m.entryPoint() + "' is not a Java class name");
        if (m.name().isBlank() || m.name().length() > 60) errors.add("name must be 1-60 characters");
        if (m.summary().isBlank() || m.summary().length() > 200) errors.add("summary must be 1-200 characters");
        if (m.memoryMb() < MIN_MEMORY_MB || m.memoryMb() > MAX_MEMORY_MB) {
            errors.add("memoryMb " + m.memoryMb() + " must be between " + MIN_MEMORY_MB + " and " + MAX_MEMORY_MB);
        }
        for (String ch : m.permissions().readChannels()) {
            if (!CHANNEL.matcher(ch).matches()) errors.add("permissions.readChannels: '" + ch + "' is not a channel name");
        }
        for (String ch : m.subscribe()) {
            if (!m.permissions().readChannels().contains(ch)) errors.add("subscribe: '" + ch + "' is not in permissions.readChannels");
        }
        for (var p : m.pages()) {
            if (!PAGE_PATH.matcher(p.path()).matches()) errors.add("pages: path '" + p.path() + "' must be relative, like '' or 'history/'");
        }
        for (String p : m.publicPaths()) {
            if (p.isEmpty() || !PAGE_PATH.matcher(p).matches()) errors.add("publicPaths: '" + p + "' must be a relative sub-path like 'community/'");
        }
        if (m.timers().size() > MAX_TIMERS) errors.add("timers: at most " + MAX_TIMERS);
        for (var t : m.timers()) {
            if (t.path().isEmpty() || !PAGE_PATH.matcher(t.path()).matches()) errors.add("timers: path '" + t.path() + "' must be a relative sub-path like 'daily'");
            if (t.everyMinutes() < 1 || t.everyMinutes() > MAX_TIMER_MINUTES) {
                errors.add("timers: everyMinutes " + t.everyMinutes() + " must be between 1 and " + MAX_TIMER_MINUTES);
            }
        }
        if (!errors.isEmpty()) throw bad(String.join("; ", errors));
    }

    private static PackageException bad(String what) {
        return new PackageException(PackageException.Reason.MANIFEST, "manifest.json: " + what + ". Fix the manifest and pack the add-on again.");
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String where(JsonMappingException e) {
        String p = path(e);
        return p.isEmpty() ? "" : " in '" + p + "'";
    }

    private static String fieldIn(String msg) {
        int a = msg.indexOf('\''), b = msg.indexOf('\'', a + 1);
        return a >= 0 && b > a ? msg.substring(a + 1, b) : msg;
    }
}
