package dev.lichen.gateway.web;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Set;

/**
 * A JSON object request body read strictly: it must be an object, may hold only the named
 * fields, and each typed getter names the field when its value is missing or of the wrong type.
 */
public final class Body {
    private final JsonNode node;

    private Body(JsonNode node) {
        this.node = node;
    }

    public static Body parse(ObjectMapper json, byte[] bytes, Set<String> allowed) {
        JsonNode n;
        try {
            n = bytes.length == 0 ? null : json.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiError.bad(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiError.bad(null, "the body could not be read");
        }
        if (n == null || !n.isObject()) {
            throw ApiError.bad(null, "the body must be a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiError.bad(f, "unknown field '" + f + "' (allowed: " + String.join(", ", allowed) + ")");
            }
        }
        return new Body(n);
    }

    public boolean has(String f) {
        return node.hasNonNull(f);
    }

    public String text(String f) {
        JsonNode v = node.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiError.bad(f, f + " must be a string");
        }
        return v.asText();
    }

    public double number(String f) {
        JsonNode v = node.get(f);
        if (v == null || !v.isNumber()) {
            throw ApiError.bad(f, f + " must be a number");
        }
        return Validate.finite(f, v.asDouble());
    }

    public long integer(String f, long dflt) {
        JsonNode v = node.get(f);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw ApiError.bad(f, f + " must be an integer");
        }
        return v.asLong();
    }

    public boolean bool(String f, boolean dflt) {
        JsonNode v = node.get(f);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw ApiError.bad(f, f + " must be true or false");
        }
        return v.asBoolean();
    }
}
