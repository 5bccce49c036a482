package dev.lichen.appliance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a device config file into the Raw records with the rules jackson-databind applied when it bound
 * them (FAIL_ON_UNKNOWN_PROPERTIES, FAIL_ON_TRAILING_TOKENS, ACCEPT_FLOAT_AS_INT off, its
 * default scalar coercions), making the same parser calls in the same order, so a file is
 * taken or refused as before, with the same message, down to which of two mistakes is
 * reported. The sensor and output entries are read as plain values: LinkedHashMap, List, String,
 * Integer/Long/BigInteger as the number's size picks, Double, Boolean and null.
 * Only the file's shape is checked here; {@link DeviceConfigValidation} checks the values.
 */
final class DeviceConfigReader {
    /**
     * jackson-core's streaming parser only: on the appliance (an arm64 JVM under emulation at boot)
     * building databind's ObjectMapper and its first binding cost ~1.2 s of the boot.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static final String EMPTY_FILE = "the file is empty: expected a JSON object (see README.md, device config)";

    // The file's shape, as read. Values are checked afterwards, all at once.
    record RawConfig(String deviceId, RawGateway gateway, String board, String dataDir,
                     RawOutbox outbox, List<Map<String, Object>> sensors, List<Map<String, Object>> outputs) {}

    record RawGateway(String uplink, String host, Integer port, RawPsk psk, String username,
                      String password, Boolean tls, String format, String caFile) {}

    record RawPsk(String identity, String key) {}

    record RawOutbox(Long budgetBytes) {}

    private static final String[] CONFIG_FIELDS = {"deviceId", "gateway", "board", "dataDir", "outbox", "sensors", "outputs"};
    private static final String[] GATEWAY_FIELDS = {"uplink", "host", "port", "psk", "username", "password", "tls", "format", "caFile"};
    private static final String[] PSK_FIELDS = {"identity", "key"};
    private static final String[] OUTBOX_FIELDS = {"budgetBytes"};

    /** The file's shape, or a ConfigException with the one problem that stopped the reading. */
    static RawConfig read(String source, byte[] json) throws ConfigException {
        if (blank(json)) throw new ConfigException(source, List.of(EMPTY_FILE));
        RawConfig raw;
        try (JsonParser p = JSON.createParser(json)) {
            raw = new DeviceConfigReader(p).document();
        } catch (Refused e) {
            throw new ConfigException(source, List.of(e.getMessage()));
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ConfigException(source, List.of("not valid JSON"
                    + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(source, List.of("cannot read: " + e.getMessage()));
        }
        if (raw == null) throw new ConfigException(source, List.of("the config is empty: expected a JSON object"));
        return raw;
    }

    /** Nothing but white space, after a UTF-8 byte order mark if there is one. */
    private static boolean blank(byte[] json) {
        int from = json.length >= 3 && json[0] == (byte) 0xEF && json[1] == (byte) 0xBB && json[2] == (byte) 0xBF ? 3 : 0;
        return new String(json, from, json.length - from, StandardCharsets.UTF_8).isBlank();
    }

    /** A config the reader refuses: the message is the problem as the user sees it. */
    private static final class Refused extends Exception {
        Refused(String problem) {
            super(problem, null, false, false);
        }
    }

    private final JsonParser p;

    private DeviceConfigReader(JsonParser p) {
        this.p = p;
    }

    /** The config, or null for a JSON null. */
    RawConfig document() throws IOException, Refused {
        JsonToken t = p.nextToken();
        if (t == null) throw new Refused(EMPTY_FILE);
        RawConfig raw = t == JsonToken.VALUE_NULL ? null : config();
        if (p.nextToken() != null) {
            JsonLocation at = p.currentTokenLocation();
            throw new Refused("not valid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr()
                    + ": more after the end of the config: the file holds one JSON object");
        }
        return raw;
    }

    @SuppressWarnings("unchecked")
    private RawConfig config() throws IOException, Refused {
        Object[] v = object("", CONFIG_FIELDS);
        return new RawConfig((String) v[0], (RawGateway) v[1], (String) v[2], (String) v[3], (RawOutbox) v[4],
                (List<Map<String, Object>>) v[5], (List<Map<String, Object>>) v[6]);
    }

    /** The value of the field at path at, the parser on its first token. */
    private Object value(String at) throws IOException, Refused {
        boolean isNull = p.currentToken() == JsonToken.VALUE_NULL;
        switch (at) {
            case "gateway" -> {
                if (isNull) return null;
                Object[] v = object(at, GATEWAY_FIELDS);
                return new RawGateway((String) v[0], (String) v[1], (Integer) v[2], (RawPsk) v[3], (String) v[4],
                        (String) v[5], (Boolean) v[6], (String) v[7], (String) v[8]);
            }
            case "gateway.psk" -> {
                if (isNull) return null;
                Object[] v = object(at, PSK_FIELDS);
                return new RawPsk((String) v[0], (String) v[1]);
            }
            case "outbox" -> {
                if (isNull) return null;
                return new RawOutbox((Long) object(at, OUTBOX_FIELDS)[0]);
            }
            case "sensors", "outputs" -> {
                return objects(at);
            }
            case "gateway.port" -> {
                return whole(at, false);
            }
            case "outbox.budgetBytes" -> {
                return whole(at, true);
            }
            case "gateway.tls" -> {
                return bool(at);
            }
            default -> {
                // databind's String: any scalar's text (a number as written), not an object or a list
                if (isNull) return null;
                if (p.currentToken().isScalarValue()) return p.getText();
                throw wrongType(at, "a string");
            }
        }
    }

    /**
     * An object's fields as databind's record deserializer read them: it kept an unknown field
     * (reading its value) until the object was complete or every field had been given, and
     * then refused it; once every field was given, it refused the next one on seeing it.
     */
    private Object[] object(String at, String[] fields) throws IOException, Refused {
        if (p.currentToken() != JsonToken.START_OBJECT) throw wrongType(at, "an object");
        Object[] values = new Object[fields.length];
        int given = 0;
        String unknown = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            p.nextToken();
            int i = Arrays.asList(fields).indexOf(name);
            if (i < 0) {
                if (unknown == null) unknown = name;
                keep();
                continue;
            }
            values[i] = value(at.isEmpty() ? name : at + "." + name);
            if (++given == fields.length) {
                if (p.nextToken() == JsonToken.FIELD_NAME && unknown == null) {
                    unknown = p.currentName();
                    p.nextToken();
                }
                break;
            }
        }
        if (unknown != null) {
            throw new Refused((at.isEmpty() ? "" : at + ": ") + "unknown field '" + unknown
                    + "' (known fields here: " + String.join(", ", new TreeSet<>(Arrays.asList(fields))) + ")");
        }
        return values;
    }

    /** Reads past a value as databind kept an unknown field's: strings decoded, whole numbers parsed. */
    private void keep() throws IOException {
        int depth = 0;
        for (JsonToken t = p.currentToken(); ; t = p.nextToken()) {
            switch (t) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_STRING -> p.getText();
                case VALUE_NUMBER_INT -> p.getNumberValue();
                default -> { }
            }
            if (depth == 0) return;
        }
    }

    /**
     * databind's Integer and Long: a JSON whole number (out of range is the parser's error), or
     * a string holding one, trimmed ("", blank and "null" are null); not a float, not true/false.
     */
    private Number whole(String at, boolean isLong) throws IOException, Refused {
        switch (p.currentToken()) {
            case VALUE_NULL -> {
                return null;
            }
            case VALUE_NUMBER_INT -> {
                if (isLong) return p.getLongValue();
                return p.getIntValue();
            }
            case VALUE_STRING -> {
                String s = text();
                if (s == null) return null;
                try {
                    if (isLong) return Long.parseLong(s);
                    return Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw wrongType(at, "a whole number");
                }
            }
            default -> throw wrongType(at, "a whole number");
        }
    }

    /** databind's Boolean: true/false, a whole number (0 is false), or "true"/"True"/"TRUE", "false"/... */
    private Boolean bool(String at) throws IOException, Refused {
        switch (p.currentToken()) {
            case VALUE_NULL -> {
                return null;
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() != 0;
            }
            case VALUE_STRING -> {
                String s = text();
                if (s == null) return null;
                switch (s) {
                    case "true", "True", "TRUE" -> {
                        return Boolean.TRUE;
                    }
                    case "false", "False", "FALSE" -> {
                        return Boolean.FALSE;
                    }
                    default -> throw wrongType(at, "true or false");
                }
            }
            default -> throw wrongType(at, "true or false");
        }
    }

    /** A string for a number or true/false, trimmed; null if blank or "null" (databind's coercion). */
    private String text() throws IOException {
        String s = p.getText().trim();
        return s.isEmpty() || s.equals("null") ? null : s;
    }

    /** A list of objects read as plain values (sensors, outputs): what they hold is checked afterwards. */
    private List<Map<String, Object>> objects(String at) throws IOException, Refused {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) return null;
        if (t != JsonToken.START_ARRAY) throw wrongType(at, "a list");
        List<Map<String, Object>> out = new ArrayList<>();
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.VALUE_NULL) out.add(null);
            else if (t == JsonToken.START_OBJECT) out.add(map());
            else throw wrongType(at + "[" + out.size() + "]", "an object");
        }
        return out;
    }

    /** The object the parser is on, as plain values. */
    private Map<String, Object> map() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            m.put(name, plain());
        }
        return m;
    }

    private Object plain() throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                return map();
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) list.add(plain());
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            default -> {
                return null;
            }
        }
    }

    private Refused wrongType(String at, String expected) throws IOException {
        // databind read a string before refusing it, so a bad UTF-8 byte in it is what it reported
        if (p.currentToken() == JsonToken.VALUE_STRING) p.getText();
        return new Refused((at.isEmpty() ? "the config" : at) + ": wrong type, expected " + expected);
    }
}
