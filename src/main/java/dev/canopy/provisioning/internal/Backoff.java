package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with (equal) jitter: retries of many failed jobs spread out instead of arriving together. */
final class Backoff {

    private Backoff() {
    }

    /** The wait before attempt {@code attempt + 1}, somewhere between half and all of base × 2^(attempt-1). */
    static Duration after(int attempt, Duration base, Duration max) {
        long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
