package dev.lichen.store.catalog;

import dev.lichen.store.pkg.Keys;
import dev.lichen.store.pkg.ManifestParser;
import dev.lichen.store.pkg.PackageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/** Reads a store's index and downloads its packages, checking size and SHA-256 against the index. */
public final class CatalogClient {
    private static final long MAX_INDEX_BYTES = 4L << 20;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public CatalogIndex index(String storeUrl) throws IOException {
        byte[] body = get(resolve(storeUrl, Catalog.INDEX), MAX_INDEX_BYTES, n -> {});
        try {
            var index = ManifestParser.mapper().readValue(body, CatalogIndex.class);
            if (!Keys.fingerprint(Keys.publicFromBase64(index.publisherKey())).equals(index.fingerprint())) {
                throw new IOException("store " + storeUrl + " lists a fingerprint that does not match its own publisher key");
            }
            return index;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException("store " + storeUrl + " sent an unreadable index.json: " + e.getOriginalMessage(), e);
        }
    }

    /** Downloads one version; {@code progress} hears the bytes received so far. */
    public byte[] download(String storeUrl, CatalogIndex.Version v, long maxBytes, LongConsumer progress) throws IOException, PackageException {
        if (v.size() > maxBytes) {
            throw new PackageException(PackageException.Reason.TOO_LARGE, "package is " + v.size() + " bytes, over this gateway's limit of " + maxBytes + " bytes");
        }
        byte[] data = get(resolve(storeUrl, v.file()), Math.min(maxBytes, v.size()), progress);
        String got = HexFormat.of().formatHex(Keys.sha256(data));
        if (data.length != v.size() || !got.equals(v.sha256())) {
            throw new PackageException(PackageException.Reason.DIGEST, "downloaded package does not match the store's digest (sha256 " + got
                    + ", expected " + v.sha256() + "): it was corrupted or altered; nothing was installed");
        }
        return data;
    }

    public byte[] media(String storeUrl, String file) throws IOException {
        return get(resolve(storeUrl, file), 4L << 20, n -> {});
    }

    static URI resolve(String storeUrl, String file) throws IOException {
        if (file.contains("..") || file.startsWith("/") || file.contains(":")) throw new IOException("store index names an unsafe file: " + file);
        try {
            URI base = URI.create(storeUrl.endsWith("/") ? storeUrl : storeUrl + "/");
            if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) throw new IOException("store URL must be http(s): " + storeUrl);
            return base.resolve(file);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a store URL: " + storeUrl, e);
        }
    }

    private byte[] get(URI uri, long max, LongConsumer progress) throws IOException {
        HttpResponse<InputStream> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new IOException("cannot reach " + uri + ": " + e.getMessage(), e);
        }
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) throw new IOException(uri + " answered HTTP " + r.statusCode());
            var out = new ByteArrayOutputStream();
            byte[] buf = new byte[32 * 1024];
            long n = 0;
            for (int k; (k = in.read(buf)) > 0; ) {
                n += k;
                if (n > max) throw new IOException(uri + " sent more than " + max + " bytes");
                out.write(buf, 0, k);
                progress.accept(n);
            }
            return out.toByteArray();
        }
    }
}
