package dev.lichen.store.pkg;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code signature} entry: who signed which digest. */
public record PackageSignature(
        @JsonProperty(required = true) String algorithm,
        @JsonProperty(required = true) String publicKey,
        @JsonProperty(required = true) String digest,
        @JsonProperty(required = true) String signature) {}
