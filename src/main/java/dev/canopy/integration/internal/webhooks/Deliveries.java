package dev.canopy.integration.internal.webhooks;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code webhook_deliveries}: tenant data, so every call runs inside the tenant's scope. */
@Repository
class Deliveries {

    private static final RowMapper<Delivery> DELIVERY = (rs, n) -> new Delivery(rs.getObject("tenant_id", UUID.class),
            rs.getObject("id", UUID.class), rs.getObject("webhook_id", UUID.class),
            rs.getObject("event_id", UUID.class), rs.getString("event_type"), rs.getString("payload"),
            rs.getString("status"), rs.getInt("attempts"), (Integer) rs.getObject("response_code"),
            rs.getString("response_body"), (Integer) rs.getObject("duration_ms"), rs.getString("last_error"),
            instant(rs, "next_attempt_at"), instant(rs, "retry_until"), instant(rs, "created_at"),
            instant(rs, "last_attempt_at"), instant(rs, "delivered_at"));

    /** What an attempt got: a status code and body, or the error that stood in for an answer. */
    record Attempt(@Nullable Integer responseCode, @Nullable String responseBody, int durationMs,
            @Nullable String error) {
    }

    private final JdbcClient jdbc;

    Deliveries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A new pending delivery, due now; false when the webhook already has one for this event. */
    boolean insert(UUID tenantId, UUID id, UUID webhookId, UUID eventId, String eventType, String payload,
            Instant retryUntil) {
        return jdbc.sql("""
                insert into webhook_deliveries (tenant_id, id, webhook_id, event_id, event_type, payload,
                       next_attempt_at, retry_until)
                values (?, ?, ?, ?, ?, ?, now(), ?)
                on conflict (tenant_id, webhook_id, event_id) do nothing
                """).params(tenantId, id, webhookId, eventId, eventType, payload, Timestamp.from(retryUntil))
                .update() == 1;
    }

    Optional<Delivery> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from webhook_deliveries where tenant_id = ? and id = ?").params(tenantId, id)
                .query(DELIVERY).optional();
    }

    /** The deliveries with these ids, in no particular order. */
    List<Delivery> findAll(UUID tenantId, List<UUID> ids) {
        return jdbc.sql("select * from webhook_deliveries where tenant_id = ? and id = any(?)")
                .params(tenantId, ids.toArray(UUID[]::new)).query(DELIVERY).list();
    }

    /** A webhook's deliveries, newest first, before the cursor, optionally of one status. */
    List<Delivery> list(UUID tenantId, UUID webhookId, @Nullable String status, @Nullable UUID before, int limit) {
        return jdbc.sql("""
                select * from webhook_deliveries
                 where tenant_id = :tenant and webhook_id = :webhook
                   and (cast(:status as text) is null or status = :status)
                   and (cast(:before as uuid) is null or id < :before)
                 order by id desc limit :limit
                """)
                .param("tenant", tenantId).param("webhook", webhookId).param("status", status)
                .param("before", before).param("limit", limit).query(DELIVERY).list();
    }

    /** Makes a delivered or failed delivery pending again for one more attempt (a redelivery is not retried). */
    void reopen(UUID tenantId, UUID id) {
        jdbc.sql("""
                update webhook_deliveries
                   set status = 'pending', next_attempt_at = now(), retry_until = least(retry_until, now())
                 where tenant_id = ? and id = ?
                """).params(tenantId, id).update();
    }

    /**
     * Records an attempt: {@code status} is what the delivery is now, {@code nextAttemptAt} when it is tried again
     * (null when it is not).
     */
    void record(UUID tenantId, UUID id, Attempt attempt, String status, @Nullable Instant nextAttemptAt) {
        jdbc.sql("""
                update webhook_deliveries
                   set attempts = attempts + 1, status = :status, response_code = :code, response_body = :body,
                       duration_ms = :duration, last_error = :error, next_attempt_at = :next, last_attempt_at = now(),
                       delivered_at = case when :status = 'delivered' then now() end
                 where tenant_id = :tenant and id = :id
                """)
                .param("tenant", tenantId).param("id", id).param("status", status)
                .param("code", attempt.responseCode()).param("body", attempt.responseBody())
                .param("duration", attempt.durationMs()).param("error", attempt.error())
                .param("next", nextAttemptAt == null ? null : Timestamp.from(nextAttemptAt))
                .update();
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
