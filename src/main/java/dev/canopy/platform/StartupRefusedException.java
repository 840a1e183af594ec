package dev.canopy.platform;

/** Canopy refuses to start because of its configuration; the message says why and {@link #action()} what to do. */
public class StartupRefusedException extends RuntimeException {

    private final String action;

    public StartupRefusedException(String message, String action) {
        super(message);
        this.action = action;
    }

    public String action() {
        return action;
    }
}
