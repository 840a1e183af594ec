package dev.canopy.provisioning.internal;

import java.util.UUID;

/** A claimed job: what to do ({@code kind} on {@code subjectId}), and how many attempts it has had, this one included. */
record Job(UUID id, UUID tenantId, String kind, UUID subjectId, int attempts, int maxAttempts) {

    static final String RUN = "run";
    static final String EXPIRE = "expire";
    static final String DRIFT = "drift";

    boolean lastAttempt() {
        return attempts >= maxAttempts;
    }
}
