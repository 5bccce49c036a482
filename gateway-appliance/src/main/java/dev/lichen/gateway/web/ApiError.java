package dev.lichen.gateway.web;

/**
 * An answer other than success, rendered as {@code {"error": message, "field": field}}; field is
 * null when the problem is not one input's.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String field;

    public ApiError(int status, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public static ApiError bad(String field, String message) {
        return new ApiError(400, field, message);
    }

    public static ApiError notFound(String what) {
        return new ApiError(404, null, what + " not found");
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
