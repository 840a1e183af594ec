package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A worker's hold on a job. When a heartbeat finds it lost (the lease ran out and another worker claimed the job),
 * whatever the attempt started is stopped through the callbacks, so a job never runs twice at once.
 */
final class JobLease {

    final String owner;
    private volatile boolean lost;
    private final List<Runnable> onLost = new CopyOnWriteArrayList<>();

    JobLease(String owner) {
        this.owner = owner;
    }

    boolean lost() {
        return lost;
    }

    /** Runs the callback when the lease is lost (at once if it already is). */
    void onLost(Runnable callback) {
        onLost.add(callback);
        if (lost) {
            callback.run();
        }
    }

    void markLost() {
        lost = true;
        onLost.forEach(Runnable::run);
    }
}
