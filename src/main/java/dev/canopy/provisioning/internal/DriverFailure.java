package dev.canopy.provisioning.internal;

/**
 * A driver could not do what a run asked. {@code retryable} failures (a playbook's task failed, the process died)
 * get another attempt; the others (no playbook in the archive, the engine not installed) end the run at once.
 */
class DriverFailure extends RuntimeException {

    private final boolean retryable;

    DriverFailure(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }

    /** The run was cancelled while its process ran. */
    static final class Canceled extends DriverFailure {

        Canceled() {
            super("canceled", false);
        }
    }
}
