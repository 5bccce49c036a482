package dev.lichen.gateway.store;

/** Comparison of an alert rule: the rule's condition holds when {@code value op threshold}. */
public enum Op {
    LT("<"), LE("<="), GT(">"), GE(">=");

    private final String symbol;

    Op(String symbol) { this.symbol = symbol; }

    public String symbol() { return symbol; }

    public boolean test(double value, double threshold) {
        return switch (this) {
            case LT -> value < threshold;
            case LE -> value <= threshold;
            case GT -> value > threshold;
            case GE -> value >= threshold;
        };
    }

    /** Accepts the symbol ("<") or the name ("LT", "lt"). */
    public static Op parse(String s) {
        for (Op op : values()) if (op.symbol.equals(s) || op.name().equalsIgnoreCase(s)) return op;
        throw new IllegalArgumentException("unknown comparison '" + s + "': use <, <=, > or >=");
    }
}
