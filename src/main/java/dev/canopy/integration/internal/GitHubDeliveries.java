package dev.canopy.integration.internal;

import java.time.Duration;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code github_deliveries}: the delivery ids a tenant has processed, kept for a while. */
@Repository
class GitHubDeliveries {

    /** At most this many expired ids are removed per new delivery, so that a backlog never slows one down. */
    private static final int PRUNE_BATCH = 100;

    private final JdbcClient jdbc;

    GitHubDeliveries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims a delivery id: true if it is new. A second request with the same id waits on the first one's row
     * until that commits, then finds it taken, so a delivery is applied once even when GitHub sends it twice at once.
     */
    boolean claim(UUID tenantId, String deliveryId, String event, String outcome) {
        return jdbc.sql("""
                insert into github_deliveries (tenant_id, delivery_id, event, outcome) values (?, ?, ?, ?)
                on conflict (tenant_id, delivery_id) do nothing
                """).params(tenantId, deliveryId, event, outcome).update() == 1;
    }

    /** Forgets ids received longer ago than the retention (a batch of them); answers how many. */
    int prune(UUID tenantId, Duration retention) {
        return jdbc.sql("""
                delete from github_deliveries
                 where tenant_id = :tenant and delivery_id in (
                       select delivery_id from github_deliveries
                        where tenant_id = :tenant and received_at < now() - make_interval(secs => :seconds)
                        limit :batch)
                """).param("tenant", tenantId).param("seconds", retention.toSeconds()).param("batch", PRUNE_BATCH)
                .update();
    }
}
