package dev.lichen.senml;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.SenmlException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * SenML (RFC 8428) in JSON and CBOR: encodes Lichen batches, decodes any pack into resolved
 * records, and decodes Lichen packs back into batches. Thread-safe; share one instance.
 *
 * <h2>A Lichen pack</h2>
 * <pre>
 * [{bn: "urn:dev:lichen:kitchen-climate:", bt: 1764170314.5, bu: "Cel", "blb": "42", "bls": 1017,
 *   n: "temperature", v: 21.5},
 *  {n: "humidity", u: "%RH", v: 45.25, t: 10}, ...]
 * </pre>
 * <ul>
 * <li><b>Device id in the base name.</b> Every resolved name is
 *   {@code urn:dev:lichen:<deviceId>:<channel>}. "urn:dev" is RFC 9039's device URN namespace;
 *   "lichen" is not a registered subtype there, but the whole name keeps to RFC 8428 section
 *   4.5.1's characters so any consumer can use it as an identifier. Device ids match
 *   {@code [a-z0-9][a-z0-9_-]{0,62}} and channels {@code [A-Za-z0-9][-./_A-Za-z0-9]{0,63}} (no
 *   ':', so the split is unambiguous). When every reading of a batch is of one channel the
 *   channel moves into the base name and records carry no name at all.</li>
 * <li><b>Boot id and first sequence number</b> travel as two extension base fields in the first
 *   record: {@code "blb"} (Lichen boot id, text) and {@code "bls"} (sequence of the first record;
 *   record i has bls + i). RFC 8428 section 12.2 requires base-semantics labels to start with 'b';
 *   they do not end in '_', so section 4.4 lets any generic parser ignore them; section 6 says
 *   extensions use text keys in CBOR too, so both formats use the same short strings. The "bl"
 *   prefix keeps clear of the registered labels (bn, bt, bu, bv, bs, bver, and RFC 9193's bct).</li>
 * <li><b>Bytes.</b> bt is the first reading's time and later records carry t relative to it
 *   (omitted when equal); the most frequent unit becomes bu; CBOR numbers take the shortest form
 *   that decodes to exactly the same double: integer, half, single, decimal fraction (tag 4, which
 *   RFC 8428 section 6 names for SenML numbers) or double. A sensor's 21.53 thus takes 6 bytes,
 *   not 9.</li>
 * </ul>
 * Decoding applies RFC 8428 section 4.6: bn+n, bt+t (times below 2^28 are relative to now, from
 * the {@link Clock}), bu, bv+v, bs+s, bver (at most 10, equal in every record). It validates names,
 * exactly one value field (or a sum), registered units ({@link SenmlUnits}), finite numbers and
 * the {@link SenmlLimits}. A record holding only base fields (RFC 8428 section 5.1.7's first
 * record) yields no resolved record.
 */
public final class SenmlCodec {
    /** The base-name prefix of every Lichen pack. */
    public static final String NAME_PREFIX = "urn:dev:lichen:";
    /** Extension base field: the boot id (text). */
    public static final String BOOT_ID_LABEL = "blb";
    /** Extension base field: the sequence number of the first record (unsigned integer). */
    public static final String FIRST_SEQ_LABEL = "bls";

    public static final Pattern DEVICE_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    public static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9][-./_A-Za-z0-9]{0,63}");
    public static final Pattern BOOT_ID = Pattern.compile("[A-Za-z0-9][-._A-Za-z0-9]{0,63}");
    private static final double RELATIVE_TIME_LIMIT = 268_435_456; // 2^28
    private static final int VERSION = 10;
    private static final double YEAR_10000 = 253_402_300_800.0; // 10000-01-01 in epoch seconds

    /** The RFC 8428 labels with their CBOR integer keys (section 6, Table 4). */
    private enum Label {
        BVER("bver", -1), BN("bn", -2), BT("bt", -3), BU("bu", -4), BV("bv", -5), BS("bs", -6),
        N("n", 0), U("u", 1), V("v", 2), VS("vs", 3), VB("vb", 4), S("s", 5), T("t", 6), UT("ut", 7), VD("vd", 8);

        final String json;
        final int cbor;

        Label(String json, int cbor) { this.json = json; this.cbor = cbor; }

        static final Map<String, Label> BY_JSON = new HashMap<>();
        static final Map<String, Label> BY_CBOR = new HashMap<>();

        static {
            for (Label l : values()) {
                BY_JSON.put(l.json, l);
                BY_CBOR.put(Integer.toString(l.cbor), l);
            }
        }
    }

    private static final Label[] REGULAR = {Label.N, Label.U, Label.V, Label.VS, Label.VB, Label.VD, Label.S, Label.T, Label.UT};
    private static final Label[] VALUES = {Label.V, Label.VS, Label.VB, Label.VD};

    private static final int LABELS = Label.values().length;

    /**
     * One record as read: registered fields in a slot per label, extension fields by name in a map
     * made only for a record that has any (in a Lichen pack, the first: "blb" and "bls").
     */
    private static final class Fields {
        final Object[] byLabel = new Object[LABELS];
        Map<String, Object> ext = Map.of();

        Object get(Label l) { return byLabel[l.ordinal()]; }

        boolean has(Label l) { return byLabel[l.ordinal()] != null; }

        Object ext(String name) { return ext.get(name); }

        /** False when the record already has this field. */
        boolean put(Label l, String name, Object value) {
            if (l != null) {
                if (byLabel[l.ordinal()] != null) return false;
                byLabel[l.ordinal()] = value;
                return true;
            }
            if (ext.isEmpty()) ext = new HashMap<>(4);
            return ext.putIfAbsent(name, value) == null;
        }
    }

    private final SenmlLimits limits;
    private final Clock clock;
    private final JsonFactory json;
    private final CBORFactory cbor;

    public SenmlCodec() { this(SenmlLimits.DEFAULT, Clock.SYSTEM); }

    public SenmlCodec(SenmlLimits limits, Clock clock) {
        this.limits = Objects.requireNonNull(limits);
        this.clock = Objects.requireNonNull(clock);
        // NaN/Infinity tokens are let through the parser so they are reported as NOT_FINITE
        // a label given twice in a record is refused by parse() itself (Jackson's duplicate
        // detection hashes every name of every record: a fifth of a gateway's decoding time)
        this.json = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        this.cbor = CBORFactory.builder().build();
    }

    public SenmlLimits limits() { return limits; }

    // ---------------------------------------------------------------- encode

    /**
     * Checks a reading as a Lichen pack would carry it: channel characters, registered unit (or
     * none), finite number. Call it before a reading is queued so nothing unsendable is kept.
     */
    public static void check(Reading r) throws SenmlException {
        Objects.requireNonNull(r, "reading");
        if (r.channel() == null || !isChannel(r.channel()))
            throw new SenmlException(Reason.BAD_NAME, "channel " + quote(r.channel())
                    + " must match " + CHANNEL.pattern() + " (RFC 8428 section 4.5.1 characters, no ':')");
        if (r.unit() != null && !SenmlUnits.isKnown(r.unit()))
            throw new SenmlException(Reason.UNKNOWN_UNIT, "channel " + r.channel() + ": unit " + quote(r.unit())
                    + " is not a registered SenML unit (e.g. Cel, %RH, Pa, lx, ppm, /)");
        if (r.value() == null)
            throw new SenmlException(Reason.VALUE_COUNT, "channel " + r.channel() + ": a reading needs a value");
        if (r.value() instanceof Value.Number(double v) && !Double.isFinite(v))
            throw new SenmlException(Reason.NOT_FINITE, "channel " + r.channel() + ": value " + v + " is not a finite number");
        if (r.timeMillis() < RELATIVE_TIME_LIMIT * 1000)
            throw new SenmlException(Reason.BAD_TIME, "channel " + r.channel() + ": time " + r.timeMillis()
                    + " ms is before 1978-07-04, which SenML reads as relative to now (RFC 8428 section 4.5.3); is the clock set?");
    }

    /**
     * Encodes a batch as one Lichen pack.
     *
     * @throws IllegalArgumentException (cause: a {@link SenmlException} with its reason) when a
     *     reading fails {@link #check}, the identity is malformed, or the pack exceeds the limits
     */
    public byte[] encode(Batch batch, SenmlFormat format) {
        try {
            return encodeChecked(batch, format);
        } catch (SenmlException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private byte[] encodeChecked(Batch b, SenmlFormat format) throws SenmlException {
        if (!isDeviceId(b.deviceId()))
            throw new SenmlException(Reason.MISSING_IDENTITY, "device id " + quote(b.deviceId()) + " must match " + DEVICE_ID.pattern());
        if (!isBootId(b.bootId()))
            throw new SenmlException(Reason.MISSING_IDENTITY, "boot id " + quote(b.bootId()) + " must match " + BOOT_ID.pattern());
        if (b.firstSeq() < 0 || b.firstSeq() + b.readings().size() > (1L << 53))
            throw new SenmlException(Reason.MISSING_IDENTITY, "sequence numbers must lie in 0..2^53 (exact as SenML numbers), got "
                    + b.firstSeq());
        List<Reading> rs = b.readings();
        if (rs.isEmpty()) throw new SenmlException(Reason.VALUE_COUNT, "a batch needs at least one reading");
        if (rs.size() > limits.maxRecords())
            throw new SenmlException(Reason.TOO_LARGE, rs.size() + " readings exceed the limit of " + limits.maxRecords() + " records a pack");
        for (Reading r : rs) check(r);

        String channel = rs.getFirst().channel();
        boolean oneChannel = rs.stream().allMatch(r -> r.channel().equals(channel));
        String baseUnit = baseUnit(rs);
        long t0 = rs.getFirst().timeMillis();

        PackWriter w = format == SenmlFormat.CBOR ? new CborPack() : new JsonPack(json);
        w.array(rs.size());
        for (int i = 0; i < rs.size(); i++) {
            Reading r = rs.get(i);
            boolean first = i == 0;
            boolean withName = !oneChannel;
            boolean withUnit = r.unit() != null && !r.unit().equals(baseUnit);
            boolean withTime = r.timeMillis() != t0;
            int fields = 1 + (first ? (baseUnit != null ? 5 : 4) : 0) + (withName ? 1 : 0) + (withUnit ? 1 : 0) + (withTime ? 1 : 0);
            w.map(fields);
            if (first) {
                w.key(Label.BN);
                w.text(NAME_PREFIX + b.deviceId() + ":" + (oneChannel ? channel : ""));
                w.key(Label.BT);
                w.number(t0 / 1000.0);
                if (baseUnit != null) { w.key(Label.BU); w.text(baseUnit); }
                w.key(BOOT_ID_LABEL);
                w.text(b.bootId());
                w.key(FIRST_SEQ_LABEL);
                w.number(b.firstSeq());
            }
            if (withName) { w.key(Label.N); w.text(r.channel()); }
            if (withUnit) { w.key(Label.U); w.text(r.unit()); }
            switch (r.value()) {
                case Value.Number(double v) -> { w.key(Label.V); w.number(v); }
                case Value.Bool(boolean v) -> { w.key(Label.VB); w.bool(v); }
                case Value.Text(String v) -> { w.key(Label.VS); w.text(v); }
                case Value.Data(byte[] v) -> { w.key(Label.VD); w.bytes(v); }
            }
            if (withTime) { w.key(Label.T); w.number((r.timeMillis() - t0) / 1000.0); }
        }
        byte[] out = w.finish();
        if (out.length > limits.maxBytes())
            throw new SenmlException(Reason.TOO_LARGE, "the pack takes " + out.length + " bytes, over the limit of "
                    + limits.maxBytes() + "; send fewer readings a pack");
        return out;
    }

    /** The most frequent unit if at least two readings share it and no reading lacks a unit. */
    private static String baseUnit(List<Reading> rs) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Reading r : rs) {
            if (r.unit() == null) return null; // bu would wrongly give it a unit
            counts.merge(r.unit(), 1, Integer::sum);
        }
        return counts.entrySet().stream().filter(e -> e.getValue() >= 2)
                .max(Comparator.comparingInt(Map.Entry::getValue)).map(Map.Entry::getKey).orElse(null);
    }

    private sealed interface PackWriter permits CborPack, JsonPack {
        void array(int n) throws SenmlException;
        void map(int n) throws SenmlException;
        void key(Label l) throws SenmlException;
        void key(String extension) throws SenmlException;
        void text(String s) throws SenmlException;
        void number(double v) throws SenmlException;
        void bool(boolean b) throws SenmlException;
        void bytes(byte[] b) throws SenmlException;
        byte[] finish() throws SenmlException;
    }

    private static final class CborPack implements PackWriter {
        private final CborWriter w = new CborWriter();
        public void array(int n) { w.array(n); }
        public void map(int n) { w.map(n); }
        public void key(Label l) { w.integer(l.cbor); }
        public void key(String extension) { w.text(extension); }
        public void text(String s) { w.text(s); }
        public void number(double v) { w.number(v); }
        public void bool(boolean b) { w.bool(b); }
        public void bytes(byte[] b) { w.bytes(b); }
        public byte[] finish() { return w.toByteArray(); }
    }

    private static final class JsonPack implements PackWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        private final JsonGenerator g;
        private final ArrayList<Boolean> open = new ArrayList<>(); // true = array

        JsonPack(JsonFactory f) {
            try { g = f.createGenerator(out); } catch (IOException e) { throw new UncheckedIOException(e); }
        }

        public void array(int n) { io(() -> g.writeStartArray()); open.add(true); }
        public void map(int n) {
            if (!open.isEmpty() && !open.getLast()) { io(() -> g.writeEndObject()); open.removeLast(); }
            io(() -> g.writeStartObject());
            open.add(false);
        }
        public void key(Label l) { io(() -> g.writeFieldName(l.json)); }
        public void key(String extension) { io(() -> g.writeFieldName(extension)); }
        public void text(String s) { io(() -> g.writeString(s)); }
        public void number(double v) { io(() -> g.writeNumber(jsonNumber(v))); }
        public void bool(boolean b) { io(() -> g.writeBoolean(b)); }
        public void bytes(byte[] b) { io(() -> g.writeString(Base64.getUrlEncoder().withoutPadding().encodeToString(b))); }
        public byte[] finish() {
            while (!open.isEmpty()) {
                boolean isArray = open.removeLast();
                io(() -> { if (isArray) g.writeEndArray(); else g.writeEndObject(); });
            }
            io(g::close);
            return out.toByteArray();
        }

        private interface Io { void run() throws IOException; }

        private static void io(Io io) {
            try { io.run(); } catch (IOException e) { throw new UncheckedIOException(e); }
        }
    }

    /** Shortest JSON text for a double: integers without ".0", exponents with a lower-case 'e'. */
    static String jsonNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && Double.doubleToRawLongBits(v) != Long.MIN_VALUE)
            return Long.toString((long) v);
        return Double.toString(v).replace('E', 'e');
    }

    /** {@link #DEVICE_ID} as a loop: it is checked for every pack, and a regex costs more than the rest of the check. */
    public static boolean isDeviceId(String s) {
        if (s == null || s.isEmpty() || s.length() > 63) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
            if (!ok) return false;
        }
        return true;
    }

    /** {@link #BOOT_ID} as a loop, for the same reason. */
    public static boolean isBootId(String s) {
        if (s == null || s.isEmpty() || s.length() > 64 || !alnum(s.charAt(0))) return false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!alnum(c) && c != '-' && c != '.' && c != '_') return false;
        }
        return true;
    }

    /** -?[0-9]+ */
    private static boolean isIntegerKey(String s) {
        int start = s.startsWith("-") ? 1 : 0;
        if (s.length() == start) return false;
        for (int i = start; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** RFC 8428 section 4.5.1: [A-Za-z0-9][-:./_A-Za-z0-9]* (a loop: this runs for every record). */
    static boolean isSenmlName(String s) {
        return !s.isEmpty() && alnum(s.charAt(0)) && nameChars(s);
    }

    private static final boolean[] NAME_CHAR = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) NAME_CHAR[c] = alnum(c) || c == '-' || c == ':' || c == '.' || c == '/' || c == '_';
    }

    /** Every character of s may appear in a SenML name (a table: this is the decoder's hottest loop). */
    private static boolean nameChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 128 || !NAME_CHAR[c]) return false;
        }
        return true;
    }

    /** {@link #CHANNEL}: a SenML name part without ':' of at most 64 characters. */
    static boolean isChannel(String s) {
        return s.length() <= 64 && isSenmlName(s) && s.indexOf(':') < 0;
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    // ---------------------------------------------------------------- decode

    /** Decodes any RFC 8428 pack into resolved records, in chronological order (section 4.6). */
    public List<SenmlRecord> decode(byte[] pack, SenmlFormat format) throws SenmlException {
        List<SenmlRecord> out = new ArrayList<>(resolve(parse(pack, format)).records);
        out.sort(Comparator.comparingDouble(SenmlRecord::time)); // stable: equal times keep pack order
        return out;
    }

    /**
     * Decodes a Lichen pack: every name must be {@code urn:dev:lichen:<deviceId>:<channel>} with
     * one device id, the first record must carry "blb" and "bls", every record a value.
     * Readings keep pack order (reading i has sequence bls + i).
     */
    public Batch decodeBatch(byte[] pack, SenmlFormat format) throws SenmlException {
        List<Fields> raw = parse(pack, format);
        Resolved res = resolve(raw);
        if (res.records.isEmpty()) throw new SenmlException(Reason.MISSING_IDENTITY, "the pack has no readings, so no device identity");
        Fields first = raw.get(res.sourceIndex.getFirst());
        for (int i = 0; i < raw.size(); i++) {
            if (i == res.sourceIndex.getFirst()) continue;
            if (raw.get(i).ext(BOOT_ID_LABEL) != null || raw.get(i).ext(FIRST_SEQ_LABEL) != null)
                throw new SenmlException(Reason.MALFORMED, "record " + i + ": " + BOOT_ID_LABEL + "/" + FIRST_SEQ_LABEL
                        + " may only appear in the first record of a Lichen pack");
        }
        Object boot = first.ext(BOOT_ID_LABEL);
        if (!(boot instanceof String bootId) || !isBootId(bootId))
            throw new SenmlException(Reason.MISSING_IDENTITY, "the first record needs a boot id \"" + BOOT_ID_LABEL
                    + "\" matching " + BOOT_ID.pattern() + ", got " + describe(boot));
        Object seq = first.ext(FIRST_SEQ_LABEL);
        if (!(seq instanceof Double s) || s < 0 || s != Math.rint(s) || s > 9.007199254740992E15)
            throw new SenmlException(Reason.MISSING_IDENTITY, "the first record needs a first sequence number \""
                    + FIRST_SEQ_LABEL + "\" (an unsigned integer), got " + describe(seq));
        String deviceId = null;
        List<Reading> readings = new ArrayList<>(res.records.size());
        for (int i = 0; i < res.records.size(); i++) {
            SenmlRecord r = res.records.get(i);
            int at = res.sourceIndex.get(i);
            if (!r.name().startsWith(NAME_PREFIX))
                throw new SenmlException(Reason.MISSING_IDENTITY, "record " + at + ": name " + quote(r.name())
                        + " does not start with " + NAME_PREFIX + "<deviceId>:");
            String rest = r.name().substring(NAME_PREFIX.length());
            int colon = rest.indexOf(':');
            String dev = colon < 0 ? rest : rest.substring(0, colon);
            if (colon < 0 || (!dev.equals(deviceId) && !isDeviceId(dev)))
                throw new SenmlException(Reason.MISSING_IDENTITY, "record " + at + ": name " + quote(r.name())
                        + " must be " + NAME_PREFIX + "<deviceId>:<channel> with a device id matching " + DEVICE_ID.pattern());
            if (deviceId == null) deviceId = dev;
            else if (!deviceId.equals(dev))
                throw new SenmlException(Reason.MALFORMED, "record " + at + ": device " + dev + " differs from " + deviceId
                        + "; a Lichen pack holds one device's readings");
            String channel = rest.substring(colon + 1);
            // its characters were checked as part of the record's name
            if (channel.isEmpty() || channel.length() > 64 || !alnum(channel.charAt(0)) || channel.indexOf(':') >= 0)
                throw new SenmlException(Reason.BAD_NAME, "record " + at + ": channel " + quote(channel) + " must match " + CHANNEL.pattern());
            if (r.value() == null)
                throw new SenmlException(Reason.VALUE_COUNT, "record " + at + ": a Lichen reading needs a value, not only a sum");
            if (r.time() < RELATIVE_TIME_LIMIT || r.time() >= YEAR_10000)
                throw new SenmlException(Reason.BAD_TIME, "record " + at + " (" + channel + "): time " + r.time()
                        + " s is not a date between 1978 and 9999");
            readings.add(new Reading(shared(channel), SenmlUnits.canonical(r.unit()), r.value(), Math.round(r.time() * 1000)));
        }
        return new Batch(deviceId, bootId, (long) (double) s, readings);
    }

    private record Resolved(List<SenmlRecord> records, List<Integer> sourceIndex) {}

    /** Channel names seen, each kept once; bounded so that odd names can't grow it for ever. */
    private final java.util.concurrent.ConcurrentHashMap<String, String> channelNames = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_SHARED_NAMES = 4096;

    /** One String per channel name: a gateway holds many decoded readings at once, mostly of a few names. */
    private String shared(String channel) {
        String known = channelNames.get(channel);
        if (known != null) return known;
        if (channelNames.size() < MAX_SHARED_NAMES) channelNames.putIfAbsent(channel, channel);
        return channel;
    }

    /** Reads the pack into one {@link Fields} a record; CBOR integer keys become JSON labels. */
    private List<Fields> parse(byte[] pack, SenmlFormat format) throws SenmlException {
        Objects.requireNonNull(pack, "pack");
        if (pack.length > limits.maxBytes())
            throw new SenmlException(Reason.TOO_LARGE, "the pack has " + pack.length + " bytes, over the limit of " + limits.maxBytes());
        boolean isCbor = format == SenmlFormat.CBOR;
        List<Fields> records = new ArrayList<>();
        try (JsonParser p = (isCbor ? cbor : json).createParser(pack)) {
            if (p.nextToken() != JsonToken.START_ARRAY)
                throw new SenmlException(Reason.MALFORMED, "a SenML pack is an array of records; this does not start with one");
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                int index = records.size();
                if (t == null) throw new SenmlException(Reason.MALFORMED, "the pack ends before its array is closed (truncated?)");
                if (t != JsonToken.START_OBJECT) throw new SenmlException(Reason.MALFORMED, "record " + index + " is not a map/object");
                if (index >= limits.maxRecords())
                    throw new SenmlException(Reason.TOO_LARGE, "the pack has more than " + limits.maxRecords() + " records");
                Fields rec = new Fields();
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Label label = (isCbor ? Label.BY_CBOR : Label.BY_JSON).get(key);
                    if (isCbor && label == null && (Label.BY_JSON.containsKey(key) || isIntegerKey(key)))
                        throw new SenmlException(Reason.MALFORMED, "record " + index + ": CBOR label " + key
                                + " is not in RFC 8428 Table 4 (registered fields use integer labels, extensions text labels)");
                    String name = label != null ? label.json : key;
                    if (!rec.put(label, name, value(p, p.nextToken(), index, name)))
                        throw new SenmlException(Reason.MALFORMED, "record " + index + ": field \"" + name + "\" appears twice");
                }
                if (t != JsonToken.END_OBJECT) throw new SenmlException(Reason.MALFORMED, "record " + index + " is not closed (truncated?)");
                records.add(rec);
            }
            if (p.nextToken() != null) throw new SenmlException(Reason.MALFORMED, "bytes follow the end of the pack");
        } catch (SenmlException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String what = isCbor ? "CBOR" : "JSON";
            String detail = String.valueOf(e.getMessage());
            if (e instanceof JsonProcessingException jpe && jpe.getOriginalMessage() != null) {
                // Jackson's own text, without its "[Source: ...]" decoration, plus where it broke
                detail = jpe.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source:.*", "")
                        .replaceAll("\\s*\\[Source:.*", "");
                if (jpe.getLocation() != null) detail += " (at byte " + jpe.getLocation().getByteOffset() + ")";
            }
            throw new SenmlException(Reason.MALFORMED, "not well-formed SenML " + what + ": " + detail.lines().findFirst().orElse(""), e);
        }
        return records;
    }

    private static final Object NESTED = new Object() { public String toString() { return "a nested array/map"; } };

    private static Object value(JsonParser p, JsonToken t, int index, String name) throws IOException, SenmlException {
        if (t == null) throw new SenmlException(Reason.MALFORMED, "record " + index + " ends inside field " + name);
        return switch (t) {
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_EMBEDDED_OBJECT -> p.getEmbeddedObject() instanceof byte[] b ? b : NESTED;
            case START_ARRAY, START_OBJECT -> { p.skipChildren(); yield NESTED; }
            default -> NESTED; // null and anything else: only acceptable in ignored extension fields
        };
    }

    private Resolved resolve(List<Fields> raw) throws SenmlException {
        String bn = "";
        String bu = null;
        double bt = 0;
        Double bv = null;
        Double bs = null;
        Integer version = null;
        double now = clock.epochMillis() / 1000.0;
        List<SenmlRecord> out = new ArrayList<>(raw.size());
        List<Integer> source = new ArrayList<>(raw.size());
        String checkedBn = null;
        for (int i = 0; i < raw.size(); i++) {
            Fields r = raw.get(i);
            for (String key : r.ext.keySet()) // registered labels never end in '_'
                if (key.endsWith("_"))
                    throw new SenmlException(Reason.MUST_UNDERSTAND, "record " + i + ": field \"" + key
                            + "\" must be understood (its label ends in '_') but this parser does not know it");
            Double ver = number(r, Label.BVER, i);
            int recVersion = ver == null ? VERSION : (int) (double) ver;
            if (ver != null && (ver < 0 || ver != Math.rint(ver)))
                throw new SenmlException(Reason.MALFORMED, "record " + i + ": bver must be an unsigned integer, got " + ver);
            if (recVersion > VERSION)
                throw new SenmlException(Reason.UNSUPPORTED_VERSION, "record " + i + ": version " + recVersion
                        + " is newer than RFC 8428's " + VERSION + "; this pack cannot be used");
            if (version != null && ver != null && version != recVersion)
                throw new SenmlException(Reason.UNSUPPORTED_VERSION, "record " + i + ": version " + recVersion
                        + " differs from " + version + "; all records of a pack have one version");
            if (ver != null) version = recVersion;
            if (r.has(Label.BN)) bn = text(r, Label.BN, i);
            if (r.has(Label.BU)) { bu = text(r, Label.BU, i); unit(bu, i); }
            Double d;
            if ((d = number(r, Label.BT, i)) != null) bt = d;
            if ((d = number(r, Label.BV, i)) != null) bv = d;
            if ((d = number(r, Label.BS, i)) != null) bs = d;

            boolean regular = false;
            for (Label l : REGULAR)
                regular |= r.has(l);
            if (!regular) continue; // base fields only: nothing measured here

            String n = r.has(Label.N) ? text(r, Label.N, i) : "";
            String name = bn + n;
            if (name.isEmpty()) throw new SenmlException(Reason.BAD_NAME, "record " + i + " has no name and no base name");
            // isSenmlName(bn + n), with the base name (the same for most records) checked once
            boolean nameOk = bn.isEmpty() ? isSenmlName(n) : (bn == checkedBn || isSenmlName(bn)) && nameChars(n);
            if (nameOk && !bn.isEmpty()) checkedBn = bn;
            if (!nameOk)
                throw new SenmlException(Reason.BAD_NAME, "record " + i + ": name " + quote(name)
                        + " may hold only A-Z a-z 0-9 - : . / _ and must start with a letter or digit (RFC 8428 section 4.5.1)");
            String unit = r.has(Label.U) ? text(r, Label.U, i) : bu;
            if (unit != null) unit(unit, i);

            int count = 0;
            for (Label l : VALUES) if (r.has(l)) count++;
            Double s = number(r, Label.S, i);
            boolean hasSum = s != null || bs != null;
            if (count > 1 || (count == 0 && !hasSum))
                throw new SenmlException(Reason.VALUE_COUNT, "record " + i + " (" + name + ") has " + count
                        + " value fields; exactly one of v, vs, vb, vd is required" + (count == 0 ? " unless it has a sum" : ""));
            Value value = null;
            if (r.has(Label.V)) {
                double v = number(r, Label.V, i); // not 0 + v: that would turn -0.0 into 0.0
                value = new Value.Number(finite(bv == null ? v : bv + v, "value", name, i));
            }
            else if (r.has(Label.VS)) value = new Value.Text(text(r, Label.VS, i));
            else if (r.has(Label.VB)) {
                if (!(r.get(Label.VB) instanceof Boolean b)) throw wrongType(i, "vb", "a boolean", r.get(Label.VB));
                value = new Value.Bool(b);
            } else if (r.has(Label.VD)) value = new Value.Data(data(r.get(Label.VD), i));
            Double sum = hasSum ? finite(bs == null ? s : s == null ? bs : bs + s, "sum", name, i) : null;
            Double t = number(r, Label.T, i);
            double time = finite(t == null ? bt : bt + t, "time", name, i);
            if (time < RELATIVE_TIME_LIMIT) time = now + time;
            Double ut = number(r, Label.UT, i);
            out.add(new SenmlRecord(name, unit, value, sum, time, ut));
            source.add(i);
        }
        return new Resolved(out, source);
    }

    private static void unit(String unit, int i) throws SenmlException {
        if (!SenmlUnits.isKnown(unit))
            throw new SenmlException(Reason.UNKNOWN_UNIT, "record " + i + ": unit " + quote(unit)
                    + " is not a registered SenML unit (RFC 8428 section 12.1, RFC 8798); e.g. Cel, %RH, Pa, lx, ppm");
    }

    private static double finite(double v, String what, String name, int i) throws SenmlException {
        if (!Double.isFinite(v)) throw new SenmlException(Reason.NOT_FINITE, "record " + i + " (" + name + "): " + what + " is " + v + ", not a finite number");
        return v;
    }

    private static Double number(Fields r, Label l, int i) throws SenmlException {
        Object o = r.get(l);
        if (o == null) return null;
        if (!(o instanceof Double d)) throw wrongType(i, l.json, "a number", o);
        if (!Double.isFinite(d)) throw new SenmlException(Reason.NOT_FINITE, "record " + i + ": " + l.json + " is " + d + ", not a finite number");
        return d;
    }

    private static String text(Fields r, Label l, int i) throws SenmlException {
        Object o = r.get(l);
        if (!(o instanceof String s)) throw wrongType(i, l.json, "a string", o);
        return s;
    }

    private static byte[] data(Object o, int i) throws SenmlException {
        if (o instanceof byte[] b) return b;
        if (o instanceof String s) {
            try {
                return Base64.getUrlDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw new SenmlException(Reason.MALFORMED, "record " + i + ": vd is not base64url: " + e.getMessage());
            }
        }
        throw wrongType(i, "vd", "base64url text (JSON) or a byte string (CBOR)", o);
    }

    private static SenmlException wrongType(int i, String label, String expected, Object got) {
        return new SenmlException(Reason.MALFORMED, "record " + i + ": \"" + label + "\" must be " + expected + ", got " + describe(got));
    }

    private static String describe(Object o) {
        return switch (o) {
            case null -> "nothing";
            case String s -> "the string " + quote(s);
            case Double d -> "the number " + d;
            case Boolean b -> "the boolean " + b;
            case byte[] b -> "a byte string of " + b.length + " bytes";
            default -> o.toString();
        };
    }

    private static String quote(String s) {
        if (s == null) return "null";
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
    }
}
