package dev.lichen.store.sdk;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small HTTP text helpers for add-on pages. */
public final class Http {
    private Http() {}

    public static Map<String, String> parseQuery(String q) {
        var m = new LinkedHashMap<String, String>();
        if (q == null || q.isEmpty()) return m;
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) continue;
            int i = pair.indexOf('=');
            String k = i < 0 ? pair : pair.substring(0, i), v = i < 0 ? "" : pair.substring(i + 1);
            m.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return m;
    }

    /** Escapes text for HTML element content and attribute values. */
    public static String esc(String s) {
        var sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A plain page in the gateway's look, with a title and body HTML (already escaped by the caller). */
    public static String page(String title, String bodyHtml) {
        return "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>"
                + "<title>" + esc(title) + "</title><link rel=stylesheet href=/addons/addons.css></head><body><main><h1>" + esc(title) + "</h1>"
                + bodyHtml + "</main></body></html>";
    }
}
