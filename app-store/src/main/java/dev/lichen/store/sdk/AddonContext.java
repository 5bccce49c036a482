package dev.lichen.store.sdk;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the gateway hands an add-on at start, by environment only: its id, its token, the gateway's
 * loopback add-on API URL. Its working directory is its own data folder.
 */
public record AddonContext(String id, GatewayApi gateway, Path dataDir, boolean training) {
    public static final String ENV_ID = "LICHEN_ADDON_ID";
    public static final String ENV_TOKEN = "LICHEN_ADDON_TOKEN";
    public static final String ENV_GATEWAY = "LICHEN_GATEWAY_URL";
    public static final String ENV_PROXY_SECRET = "LICHEN_PROXY_SECRET";
    public static final String ENV_TRAINING = "LICHEN_AOT_TRAINING";

    static AddonContext fromEnv(Map<String, String> env) {
        String id = env.getOrDefault(ENV_ID, "addon");
        String url = env.getOrDefault(ENV_GATEWAY, "http://127.0.0.1:9/addon-api/v1/");
        return new AddonContext(id, new GatewayApi(url, env.getOrDefault(ENV_TOKEN, "")), Path.of("").toAbsolutePath(),
                "1".equals(env.get(ENV_TRAINING)));
    }
}
