package dev.lichen.senml;

/** The two SenML representations Lichen speaks, with their CoAP Content-Format numbers. */
public enum SenmlFormat {
    JSON(110, "application/senml+json"),
    CBOR(112, "application/senml+cbor");

    private final int contentFormat;
    private final String mediaType;

    SenmlFormat(int contentFormat, String mediaType) {
        this.contentFormat = contentFormat;
        this.mediaType = mediaType;
    }

    /** The CoAP Content-Format number (RFC 8428 section 12.3). */
    public int contentFormat() { return contentFormat; }

    public String mediaType() { return mediaType; }

    /** The format for a CoAP Content-Format number, or null when it is not SenML JSON/CBOR. */
    public static SenmlFormat ofContentFormat(int contentFormat) {
        for (SenmlFormat f : values()) if (f.contentFormat == contentFormat) return f;
        return null;
    }
}
