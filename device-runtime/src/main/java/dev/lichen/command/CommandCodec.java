package dev.lichen.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The commands pending for a device, as a SenML JSON pack in the shape of RFC 8428 section 5.1.7
 * (setting an actuator): the base name is the device, each record names an output and carries
 * its new value ({@code vb} on/off, {@code v} a level in percent) and its command id in the
 * extension field {@value #ID_LABEL} (not ending in '_': a generic parser may ignore it).
 * <pre>
 * [{"bn":"urn:dev:lichen:hall:","n":"light","vb":true,"cid":"k3x9-41"},
 *  {"n":"fan","v":40,"cid":"k3x9-42"}]
 * </pre>
 * The gateway sends the whole set each time (the MQTT retained message on {@code
 * lichen/<id>/cmd}, the CoAP Observe notifications of {@code /c/<id>}): a device that missed one
 * notification still gets every command, and {@code []} says nothing is pending. JSON only:
 * commands are few and a person debugging a device reads them.
 */
public final class CommandCodec {
    public static final String ID_LABEL = "cid";
    /** Most commands in one pack; the gateway keeps a device's pending commands under it. */
    public static final int MAX_COMMANDS = 64;
    public static final int MAX_BYTES = 16 * 1024;

    private static final JsonFactory JSON = new JsonFactory();

    private CommandCodec() {}

    /** One record of a pack as a device reads it: a command, or why one with this id cannot be carried out. */
    public sealed interface Entry {
        record Valid(Command command) implements Entry {}

        record Invalid(Command.CommandId id, String why) implements Entry {}
    }

    /** A pack that is not a command pack for this device at all (no id to answer to). */
    public static final class CommandPackException extends Exception {
        public CommandPackException(String message) {
            super(message);
        }
    }

    public static byte[] encode(String deviceId, List<Command> commands) {
        var out = new ByteArrayOutputStream(64 + 48 * commands.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            boolean first = true;
            for (Command c : commands) {
                g.writeStartObject();
                if (first) g.writeStringField("bn", SenmlCodec.NAME_PREFIX + deviceId + ":");
                first = false;
                g.writeStringField("n", c.output());
                switch (c.value()) {
                    case Value.Bool b -> g.writeBooleanField("vb", b.value());
                    case Value.Number n -> g.writeNumberField("v", n.value());
                    default -> throw new IllegalArgumentException("not a command value: " + c.value());
                }
                g.writeStringField(ID_LABEL, c.id().toString());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The pack's commands in order. A record with a command id but something wrong with it is an
     * {@link Entry.Invalid} (the device refuses that command and says why); a pack that is not
     * JSON, names another device, is too large, or has a record without a usable id throws.
     */
    public static List<Entry> decode(byte[] pack, String deviceId) throws CommandPackException {
        if (pack.length > MAX_BYTES) throw new CommandPackException("command pack of " + pack.length + " bytes; at most " + MAX_BYTES);
        List<Entry> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String baseName = null;
        try (JsonParser p = JSON.createParser(pack)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new CommandPackException("a command pack is a SenML JSON array");
            for (int i = 0; ; i++) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.END_ARRAY) break;
                if (t != JsonToken.START_OBJECT) throw new CommandPackException("record " + i + " is not an object");
                if (i >= MAX_COMMANDS) throw new CommandPackException("more than " + MAX_COMMANDS + " commands in one pack");
                Record r = record(p, i);
                if (r.bn != null) {
                    if (baseName != null && !baseName.equals(r.bn)) throw new CommandPackException("record " + i + " changes the base name");
                    baseName = r.bn;
                }
                if (baseName == null) throw new CommandPackException("record " + i + ": no base name naming the device");
                if (!baseName.equals(SenmlCodec.NAME_PREFIX + deviceId + ":")) {
                    throw new CommandPackException("the pack is for " + baseName + ", not for device '" + deviceId + "'");
                }
                Command.CommandId id = Command.CommandId.parse(r.cid);
                if (id == null) throw new CommandPackException("record " + i + ": no command id (" + ID_LABEL + ": <epoch>-<n>)");
                if (!ids.add(id.toString())) throw new CommandPackException("record " + i + ": command " + id + " twice");
                out.add(entry(id, r));
            }
            if (p.nextToken() != null) throw new CommandPackException("bytes after the pack");
        } catch (IOException e) {
            throw new CommandPackException("not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        return out;
    }

    private static Entry entry(Command.CommandId id, Record r) {
        if (r.n == null || !SenmlCodec.CHANNEL.matcher(r.n).matches()) {
            return new Entry.Invalid(id, "no output name (n) or not a SenML name: " + r.n);
        }
        if (r.values != 1) return new Entry.Invalid(id, "a command carries exactly one value: vb (on/off) or v (a level)");
        if (r.vb != null) return new Entry.Valid(new Command(id, r.n, new Value.Bool(r.vb)));
        if (r.v != null) {
            if (!Double.isFinite(r.v)) return new Entry.Invalid(id, "level " + r.v + " is not a number");
            return new Entry.Valid(new Command(id, r.n, new Value.Number(r.v)));
        }
        return new Entry.Invalid(id, "a command sets vb (on/off) or v (a level), not " + r.other);
    }

    private static final class Record {
        String bn, n, cid, other;
        Boolean vb;
        Double v;
        int values;
    }

    private static Record record(JsonParser p, int i) throws IOException, CommandPackException {
        Record r = new Record();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "bn" -> r.bn = text(p, v, i, name);
                case "n" -> r.n = text(p, v, i, name);
                case ID_LABEL -> r.cid = text(p, v, i, name);
                case "vb" -> {
                    r.values++;
                    if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) r.vb = v == JsonToken.VALUE_TRUE;
                    else r.other = "vb " + p.getText();
                }
                case "v" -> {
                    r.values++;
                    if (v.isNumeric()) r.v = p.getDoubleValue();
                    else r.other = "v " + p.getText();
                }
                case "vs", "vd" -> {
                    r.values++;
                    r.other = name;
                    p.skipChildren();
                }
                default -> {
                    if (name.endsWith("_")) throw new CommandPackException("record " + i + ": field " + name + " must be understood and is not");
                    p.skipChildren(); // RFC 8428 section 4.4: other fields may be ignored
                }
            }
        }
        return r;
    }

    private static String text(JsonParser p, JsonToken v, int i, String name) throws IOException, CommandPackException {
        if (v != JsonToken.VALUE_STRING) throw new CommandPackException("record " + i + ": " + name + " must be text");
        return p.getText();
    }
}
