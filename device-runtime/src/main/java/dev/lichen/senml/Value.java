package dev.lichen.senml;

/** A SenML value: exactly one of v, vb, vs, vd (RFC 8428 section 4.2). */
public sealed interface Value {
    record Number(double value) implements Value {}

    record Bool(boolean value) implements Value {}

    record Text(String value) implements Value {}

    record Data(byte[] value) implements Value {}
}
