package dev.lichen.command;

/**
 * A device's own key pair rotated over its current secure link, in two commands on the reserved
 * output {@value #OUTPUT}: {@code vb true}, make a new key pair and tell its public key (a reading
 * on the channel {@value #CHANNEL}: the SubjectPublicKeyInfo, base64) over the link of the old one,
 * which vouches for it; then {@code vb false}, switch to it. Between the two the gateway takes
 * either key; the first pack with the new one retires the old.
 */
public final class KeyRotation {
    public static final String OUTPUT = "identity";
    public static final String CHANNEL = "identity";

    private KeyRotation() {}
}
