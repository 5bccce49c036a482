package dev.lichen.gateway.addons;

import dev.lichen.store.pkg.Permissions;

/**
 * One installed add-on as the gateway records it (in its own data folder, which the add-on never
 * sees): the version running, the one to roll back to, what the admin granted, its secrets.
 */
public record Installed(String id, String version, String previousVersion, String storeUrl, Permissions grant,
                        String token, String proxySecret, long installedMillis, String note) {
    Installed withNote(String n) {
        return new Installed(id, version, previousVersion, storeUrl, grant, token, proxySecret, installedMillis, n);
    }
}
