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

    /** What an approved apply would change now is not the approved plan; nothing was changed. */
    static final class PlanChanged extends DriverFailure {

        private final transient java.util.List<DriverResult.Change> changes;

        PlanChanged(java.util.List<DriverResult.Change> changes) {
            super("the plan changed since it was approved", false);
            this.changes = java.util.List.copyOf(changes);
        }

        java.util.List<DriverResult.Change> changes() {
            return changes;
        }
    }

    /** The run was cancelled while its process ran. */
    static final class Canceled extends DriverFailure {

        Canceled() {
            super("canceled", false);
        }
    }
}
