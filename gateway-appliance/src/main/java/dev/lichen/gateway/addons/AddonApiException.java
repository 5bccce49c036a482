package dev.lichen.gateway.addons;

/** A refusal of the add-on API or the add-ons admin API, with its HTTP status. */
final class AddonApiException extends Exception {
    private final int status;

    AddonApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
