package dev.canopy.platform.db;

/** Canopy cannot use the configured database; the message says why in one sentence and what to do. */
class DatabaseUnavailableException extends RuntimeException {

    private final String action;

    DatabaseUnavailableException(String message, String action) {
        super(message);
        this.action = action;
    }

    String action() {
        return action;
    }
}
