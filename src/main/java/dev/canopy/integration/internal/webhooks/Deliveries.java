package dev.canopy.integration.internal.webhooks;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;

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

    /** What an attempt got and what its delivery is now; {@code next} is when it is tried again, if it is. */
    record Outcome(UUID deliveryId, Attempt attempt, String status, @Nullable Instant next) {
    }

    private final JdbcClient jdbc;

    Deliveries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Adds a pending delivery of the event, due now, for each enabled webhook of the tenant that subscribes to its
     * type, and queues each: one statement, as it runs in every transaction that publishes an event. Answers how many
     * it added (a webhook that already has this event gets none). Ids are UUIDv7, made as {@code Ids.newId} makes
     * them (PostgreSQL 17 has no {@code uuidv7()}).
     */
    int fanOut(UUID tenantId, UUID eventId, String eventType, String payload, Instant retryUntil) {
        return jdbc.sql("""
                with added as (
                    insert into webhook_deliveries (tenant_id, id, webhook_id, event_id, event_type, payload,
                           next_attempt_at, retry_until)
                    select w.tenant_id,
                           cast(encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                placing substring(int8send(cast(floor(extract(epoch from clock_timestamp()) * 1000)
                                as bigint)) from 3) from 1 for 6), 52, 1), 53, 1), 'hex') as uuid),
                           w.id, :event, :type, :payload, now(), :retry_until
                      from webhooks w
                     where w.tenant_id = :tenant and w.enabled and (:type = any(w.event_types) or '*' = any(w.event_types))
                    on conflict (tenant_id, webhook_id, event_id) do nothing
                    returning id
                )
                insert into platform.webhook_queue (delivery_id, tenant_id) select id, :tenant from added
                """)
                .param("tenant", tenantId).param("event", eventId).param("type", eventType)
                .param("payload", payload).param("retry_until", Timestamp.from(retryUntil))
                .update();
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

    /** Records attempts of the tenant's deliveries, each with its status now and its next attempt, in one statement. */
    void recordAll(UUID tenantId, List<Outcome> outcomes) {
        jdbc.sql("""
                update webhook_deliveries d
                   set attempts = d.attempts + 1, status = o.status, response_code = o.code, response_body = o.body,
                       duration_ms = o.duration, last_error = o.error, next_attempt_at = o.next,
                       last_attempt_at = now(), delivered_at = case when o.status = 'delivered' then now() end
                  from unnest(cast(? as uuid[]), cast(? as text[]), cast(? as int[]), cast(? as text[]),
                              cast(? as int[]), cast(? as text[]), cast(? as timestamptz[]))
                       as o(id, status, code, body, duration, error, next)
                 where d.tenant_id = ? and d.id = any(?) and d.id = o.id
                """)
                .params(column(outcomes, Outcome::deliveryId, UUID[]::new),
                        column(outcomes, Outcome::status, String[]::new),
                        column(outcomes, o -> o.attempt().responseCode(), Integer[]::new),
                        column(outcomes, o -> o.attempt().responseBody(), String[]::new),
                        column(outcomes, o -> o.attempt().durationMs(), Integer[]::new),
                        column(outcomes, o -> o.attempt().error(), String[]::new),
                        column(outcomes, o -> o.next() == null ? null : o.next().toString(), String[]::new),
                        // the ids again, as an index condition: a join on the unnested ids alone was planned as
                        // a scan of all the tenant's deliveries
                        tenantId, column(outcomes, Outcome::deliveryId, UUID[]::new))
                .update();
    }

    private static <T> T[] column(List<Outcome> outcomes, Function<Outcome, @Nullable T> value,
            IntFunction<T[]> array) {
        return outcomes.stream().map(value).toArray(array);
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
