package dev.canopy.tenancy.internal;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.AdvisoryLocks;

/**
 * Checks every registered database server every {@code canopy.placement.health-check-every} (30 s), on one instance
 * at a time, and records what it found.
 */
@Component
class ServerHealthChecks {

    private static final Logger log = LoggerFactory.getLogger(ServerHealthChecks.class);
    /** Arbitrary, fixed: this job's advisory lock key across instances. */
    private static final long LOCK_KEY = 0x63616e6f70790002L;

    private final DatabaseServerRegistry registry;
    private final DatabaseServers servers;
    private final AdvisoryLocks locks;

    ServerHealthChecks(DatabaseServerRegistry registry, DatabaseServers servers, AdvisoryLocks locks) {
        this.registry = registry;
        this.servers = servers;
        this.locks = locks;
    }

    @Scheduled(fixedDelayString = "${canopy.placement.health-check-every}",
            initialDelayString = "${canopy.placement.health-check-every}")
    void checkAll() {
        locks.runAlone(LOCK_KEY, () -> {
            for (DatabaseServer server : servers.all()) {
                ServerProbe.Health health = registry.probe(server);
                if (!health.status().equals(server.health())) {
                    log.warn("Database server {} is now {}: {}", server.name(), health.status(), health.detail());
                }
                servers.recordHealth(server.id(), health, Instant.now());
            }
        });
    }
}
