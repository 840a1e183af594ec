package dev.canopy.integration.internal.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code platform.webhook_queue}: which deliveries are due, across tenants. Ids only; the delivery itself is
 * read in its tenant's scope.
 */
@Repository
class DeliveryQueue {

    /** A claimed queue entry: the delivery to attempt and the tenant whose scope reads it. */
    record Claim(UUID deliveryId, UUID tenantId) {
    }

    private final JdbcClient jdbc;

    DeliveryQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Queues a delivery, due at once; in the transaction that inserts it. */
    void add(UUID deliveryId, UUID tenantId) {
        jdbc.sql("insert into platform.webhook_queue (delivery_id, tenant_id) values (?, ?)")
                .params(deliveryId, tenantId).update();
    }

    /**
     * Takes a delivery for an attempt by the caller (a redelivery, a ping), queued or not; false when a worker
     * holds it right now.
     */
    boolean take(UUID deliveryId, UUID tenantId, Duration lease) {
        return jdbc.sql("""
                insert into platform.webhook_queue as q (delivery_id, tenant_id, run_at, leased, claims)
                values (:delivery, :tenant, now() + cast(:lease as interval), true, 1)
                on conflict (delivery_id) do update set run_at = excluded.run_at, leased = true, claims = q.claims + 1
                 where not q.leased or q.run_at <= now()
                """)
                .param("delivery", deliveryId).param("tenant", tenantId).param("lease", interval(lease))
                .update() == 1;
    }

    /**
     * Claims up to {@code limit} due deliveries of any tenant, holding each a lease ahead: a worker that dies
     * leaves them to be claimed again when it ends. Rows another worker is claiming are skipped, not waited for.
     */
    List<Claim> claim(int limit, Duration lease) {
        return jdbc.sql("""
                update platform.webhook_queue q
                   set run_at = now() + cast(:lease as interval), leased = true, claims = q.claims + 1
                 where q.delivery_id in (select delivery_id from platform.webhook_queue
                                          where run_at <= now() order by run_at limit :limit for update skip locked)
                returning q.delivery_id, q.tenant_id
                """)
                .param("lease", interval(lease)).param("limit", limit)
                .query((rs, n) -> new Claim(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))).list();
    }

    /** Takes finished deliveries off the queue and makes the others due again at their next attempt. */
    void settle(Map<UUID, @Nullable Instant> nextAttempts) {
        UUID[] finished = nextAttempts.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey)
                .toArray(UUID[]::new);
        if (finished.length > 0) {
            remove(finished);
        }
        var retried = nextAttempts.entrySet().stream().filter(e -> e.getValue() != null).toList();
        if (!retried.isEmpty()) {
            jdbc.sql("""
                    update platform.webhook_queue q set run_at = r.at, leased = false
                      from unnest(cast(? as uuid[]), cast(? as timestamptz[])) as r(id, at)
                     where q.delivery_id = r.id
                    """)
                    .params(retried.stream().map(Map.Entry::getKey).toArray(UUID[]::new),
                            retried.stream().map(e -> String.valueOf(e.getValue())).toArray(String[]::new))
                    .update();
        }
    }

    void remove(UUID... deliveryIds) {
        jdbc.sql("delete from platform.webhook_queue where delivery_id = any(?)").param(deliveryIds).update();
    }

    private static String interval(Duration duration) {
        return duration.toMillis() + " milliseconds";
    }
}
