package dev.canopy.notifications.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Users with notifications waiting for a mail digest ({@code platform.notification_digests}): only who, in which
 * tenants, and when the digest is due. The first waiting notification sets the time; later ones join that digest, so
 * a user gets at most one mail per interval.
 */
@Repository
class DigestQueue {

    /** A digest due now: the user and the tenants whose notifications it collects. */
    record Due(UUID userId, List<UUID> tenantIds) {
    }

    private final JdbcClient jdbc;

    DigestQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Runs in the transaction that stores the notification, so the digest exists if and only if it does. */
    void schedule(UUID userId, UUID tenantId, Duration interval) {
        jdbc.sql("""
                insert into platform.notification_digests (user_id, tenant_ids, due_at)
                values (:user, array[cast(:tenant as uuid)], now() + cast(:interval as interval))
                on conflict (user_id) do update
                   set tenant_ids = case when cast(:tenant as uuid) = any(notification_digests.tenant_ids)
                                         then notification_digests.tenant_ids
                                         else notification_digests.tenant_ids || cast(:tenant as uuid) end
                """).param("user", userId).param("tenant", tenantId)
                .param("interval", interval.toMillis() + " milliseconds").update();
    }

    /**
     * Takes up to {@code limit} due digests off the queue, inside the caller's transaction (skipping those another
     * instance is taking), so a digest is sent by one instance, once.
     */
    List<Due> takeDue(Instant now, int limit) {
        return jdbc.sql("""
                delete from platform.notification_digests
                 where user_id in (select user_id from platform.notification_digests where due_at <= ?
                                    order by due_at limit ? for update skip locked)
                returning user_id, tenant_ids
                """).params(java.sql.Timestamp.from(now), limit)
                .query((rs, n) -> new Due(rs.getObject(1, UUID.class),
                        List.of((UUID[]) rs.getArray(2).getArray())))
                .list();
    }
}
