package dev.canopy.provisioning.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The job engine's settings ({@code canopy.jobs.*}): how many runs one instance executes at once, how long a lease
 * lasts and how often it is renewed, retries and their backoff, and the grace a cancelled process gets before it is
 * killed.
 */
@ConfigurationProperties("canopy.jobs")
record JobSettings(boolean enabled, int workers, Duration lease, Duration heartbeat, int maxAttempts,
        Duration backoffBase, Duration backoffMax, Duration idleWait, Duration cancelGrace) {
}
