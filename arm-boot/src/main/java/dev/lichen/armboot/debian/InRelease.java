package dev.lichen.armboot.debian;

import dev.lichen.armboot.BuildException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * A suite's signed release file: the OpenPGP clear-signed text is checked against Debian's
 * archive keys before a single field is believed. What it then vouches for is the SHA-256 and
 * size of each index file.
 */
public record InRelease(String codename, Map<String, IndexFile> sha256) {
    public record IndexFile(String path, String sha256, long size) {}

    /** Verifies the clear-signed bytes with the keyring, then parses them; throws on any doubt. */
    public static InRelease verify(byte[] signed, Path keyring, String expectedCodename) {
        String text = verifiedText(signed, keyring);
        InRelease release = parse(text);
        if (!release.codename().equals(expectedCodename))
            throw new BuildException("the mirror's release file is for '" + release.codename() + "', not '"
                    + expectedCodename + "': check the --mirror URL");
        return release;
    }

    static String verifiedText(byte[] signed, Path keyring) {
        PGPPublicKeyRingCollection keys;
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(keyring))) {
            keys = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
        } catch (IOException | PGPException e) {
            throw new BuildException("cannot read Debian's archive keyring " + keyring
                    + " (install debian-archive-keyring, or give --keyring): " + e.getMessage(), e);
        }
        try (ArmoredInputStream armored = ArmoredInputStream.builder().build(new ByteArrayInputStream(signed))) {
            if (!armored.isClearText()) throw new BuildException("InRelease is not an OpenPGP clear-signed file");
            List<byte[]> lines = new ArrayList<>();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int lookAhead = readLine(line, armored.read(), armored);
            lines.add(line.toByteArray());
            while (lookAhead != -1 && armored.isClearText()) {
                lookAhead = readLine(line, lookAhead, armored);
                lines.add(line.toByteArray());
            }
            Object object = new BcPGPObjectFactory(armored).nextObject();
            if (!(object instanceof PGPSignatureList signatures) || signatures.isEmpty())
                throw new BuildException("InRelease carries no OpenPGP signature");
            int good = 0;
            List<String> problems = new ArrayList<>();
            for (PGPSignature sig : signatures) {
                PGPPublicKey key = keys.getPublicKey(sig.getKeyID());
                if (key == null) {
                    problems.add("key " + Long.toHexString(sig.getKeyID()).toUpperCase() + " is not in the keyring");
                    continue;
                }
                sig.init(new BcPGPContentVerifierBuilderProvider(), key);
                for (int i = 0; i < lines.size(); i++) {
                    if (i > 0) sig.update(new byte[] {'\r', '\n'});
                    byte[] l = lines.get(i);
                    sig.update(l, 0, contentLength(l));
                }
                if (!sig.verify())
                    throw new BuildException("InRelease signature by key " + Long.toHexString(sig.getKeyID()).toUpperCase()
                            + " is BAD: the release file was altered or the mirror is not genuine; nothing was used from it");
                good++;
            }
            if (good == 0)
                throw new BuildException("InRelease is not signed by any key of " + keyring + " (" + String.join("; ", problems)
                        + "): refusing an unverifiable archive");
            StringBuilder text = new StringBuilder();
            for (byte[] l : lines) text.append(new String(l, 0, contentLength(l), StandardCharsets.UTF_8)).append('\n');
            return text.toString();
        } catch (IOException | PGPException e) {
            throw new BuildException("cannot check InRelease's signature: " + e.getMessage(), e);
        }
    }

    /** Reads one line (with its end) starting at lookAhead; returns the byte after it, or -1. */
    private static int readLine(ByteArrayOutputStream out, int lookAhead, InputStream in) throws IOException {
        out.reset();
        int ch = lookAhead;
        while (ch >= 0) {
            out.write(ch);
            if (ch == '\r' || ch == '\n') {
                int next = in.read();
                if (ch == '\r' && next == '\n') {
                    out.write(next);
                    next = in.read();
                }
                return next;
            }
            ch = in.read();
        }
        return -1;
    }

    /** The signed part of a clear-text line: without its end and trailing blanks (RFC 9580 7.1). */
    private static int contentLength(byte[] line) {
        int n = line.length;
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' ' || line[n - 1] == '\t')) n--;
        return n;
    }

    static InRelease parse(String text) {
        String codename = "";
        Map<String, IndexFile> files = new LinkedHashMap<>();
        boolean inSha = false;
        for (String line : text.split("\n")) {
            if (!line.startsWith(" ")) {
                inSha = line.startsWith("SHA256:");
                if (line.startsWith("Codename:")) codename = line.substring(9).trim();
                continue;
            }
            if (!inSha) continue;
            String[] w = line.trim().split("\\s+");
            if (w.length != 3 || w[0].length() != 64) throw new BuildException("malformed SHA256 line in InRelease: " + line);
            HexFormat.of().parseHex(w[0]);
            files.put(w[2], new IndexFile(w[2], w[0], Long.parseLong(w[1])));
        }
        if (files.isEmpty()) throw new BuildException("InRelease lists no SHA256 checksums");
        return new InRelease(codename, Map.copyOf(files));
    }

    public IndexFile file(String path) {
        IndexFile f = sha256.get(path);
        if (f == null) throw new BuildException("the signed release file does not list " + path);
        return f;
    }
}
