package dev.canopy.provisioning.internal;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** {@code /actuator/health} is DOWN when this instance's worker loop has stopped claiming jobs. */
@Component("provisioningJobsHealthIndicator")
class JobEngineHealth implements HealthIndicator {

    private final JobEngine engine;
    private final JobSettings settings;

    JobEngineHealth(JobEngine engine, JobSettings settings) {
        this.engine = engine;
        this.settings = settings;
    }

    @Override
    public Health health() {
        if (!settings.enabled()) {
            return Health.up().withDetail("workers", "disabled on this instance").build();
        }
        Health.Builder health = engine.claiming() ? Health.up() : Health.down();
        return health.withDetail("workers", settings.workers()).withDetail("busy", engine.busy())
                .withDetail("last_heartbeat", engine.lastHeartbeat().toString()).build();
    }
}
