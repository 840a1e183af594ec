package dev.canopy.provisioning.internal;

import java.util.Arrays;
import java.util.Optional;

/** Where a run is. A run in a final state never moves again. */
enum RunState {
    QUEUED, PLANNING, AWAITING_APPROVAL, APPROVED, APPLYING, SUCCEEDED, FAILED, DEAD_LETTER, REJECTED, EXPIRED,
    CANCEL_REQUESTED, CANCELING, CANCELED;

    String key() {
        return name().toLowerCase();
    }

    static RunState of(String key) {
        return valueOf(key.toUpperCase());
    }

    static Optional<RunState> parse(String key) {
        return Arrays.stream(values()).filter(s -> s.key().equals(key)).findFirst();
    }

    boolean terminal() {
        return switch (this) {
            case SUCCEEDED, FAILED, DEAD_LETTER, REJECTED, EXPIRED, CANCELED -> true;
            default -> false;
        };
    }

    /** Whether a worker is (or may be) executing the run now: cancelling it means stopping its process. */
    boolean executing() {
        return this == PLANNING || this == APPLYING || this == CANCEL_REQUESTED || this == CANCELING;
    }
}
