package dev.lichen.store.sdk;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Where an add-on registers its handlers; paths are relative to {@code /apps/{id}}, e.g. "/" or "/consent". */
public interface Routes {
    Routes get(String path, Handler handler);

    Routes post(String path, Handler handler);

    @FunctionalInterface
    interface Handler {
        Response handle(Request request) throws Exception;
    }

    record Request(String method, String path, Map<String, String> query, byte[] body, String contentType) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** An application/x-www-form-urlencoded body as a map. */
        public Map<String, String> form() {
            return Http.parseQuery(bodyText());
        }
    }

    record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        public static Response html(String html) {
            return new Response(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        public static Response json(Object value) {
            return new Response(200, "application/json", Json.write(value), Map.of());
        }

        public static Response text(int status, String text) {
            return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        /** 303 to a path relative to the add-on's page (works behind the gateway's /apps/{id}/ prefix). */
        public static Response seeOther(String relative) {
            return new Response(303, "text/plain", new byte[0], Map.of("Location", relative));
        }
    }
}
