package dev.canopy.tenancy.internal;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checks every registered database server every {@code canopy.placement.health-check-every} (30 s), on one instance
 * at a time (a transaction-scoped advisory lock), and records what it found.
 */
@Component
class ServerHealthChecks {

    private static final Logger log = LoggerFactory.getLogger(ServerHealthChecks.class);
    /** Arbitrary, fixed: this job's advisory lock key across instances. */
    private static final long LOCK_KEY = 0x63616e6f70790002L;

    private final DatabaseServerRegistry registry;
    private final DatabaseServers servers;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    ServerHealthChecks(DatabaseServerRegistry registry, DatabaseServers servers, JdbcClient jdbc,
            PlatformTransactionManager transactions) {
        this.registry = registry;
        this.servers = servers;
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
    }

    @Scheduled(fixedDelayString = "${canopy.placement.health-check-every}",
            initialDelayString = "${canopy.placement.health-check-every}")
    void checkAll() {
        transaction.executeWithoutResult(status -> {
            if (!Boolean.TRUE.equals(jdbc.sql("select pg_try_advisory_xact_lock(?)").param(LOCK_KEY)
                    .query(Boolean.class).single())) {
                return;
            }
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
