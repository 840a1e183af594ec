package dev.canopy.platform.db;

import dev.canopy.platform.StartupRefusedException;

/** Canopy cannot use the configured database; the message says why in one sentence and what to do. */
class DatabaseUnavailableException extends StartupRefusedException {

    DatabaseUnavailableException(String message, String action) {
        super(message, action);
    }
}
